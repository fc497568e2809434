"""The SOAP case system simulator's WSDL: document/literal SOAP 1.1, one inline XSD.

Kept apart from the simulator (integrations/simulators/soap_case.py), which serves it and answers
the operations it declares.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

NS = "http://cases.example.gov.uk/CaseService/1"
OPERATIONS = (
    "Authenticate",
    "CreateServiceRequest",
    "GetCaseUpdatesSince",
    "FindCasesByClientReference",
    "AddAttachment",
    "GetCaseAttachments",
    "AddNote",
    "GetCaseNotes",
)
# The operations that find what an earlier call made, which `lookup=False` leaves out.
LOOKUPS = ("FindCasesByClientReference", "GetCaseAttachments", "GetCaseNotes")
ATTACHMENT_OPERATIONS = ("AddAttachment", "GetCaseAttachments")
# A case's notes (what the resident said later: a reply, a reopening), which `notes=False`
# leaves out.
NOTE_OPERATIONS = ("AddNote", "GetCaseNotes")


def wsdl(location: str, operations: tuple[str, ...] = OPERATIONS) -> str:
    """The service's WSDL, with its soap:address at `location`."""
    address = escape(location, {'"': "&quot;"})
    return f"""<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="CaseService" targetNamespace="{NS}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="{NS}">
  <wsdl:types>
    <xs:schema targetNamespace="{NS}" elementFormDefault="qualified">
      <xs:simpleType name="Token">
        <xs:restriction base="xs:string"><xs:maxLength value="200"/></xs:restriction>
      </xs:simpleType>
      <xs:complexType name="Contact">
        <xs:sequence>
          <xs:element name="Name" type="xs:string" minOccurs="0"/>
          <xs:element name="Email" type="xs:string" minOccurs="0"/>
          <xs:element name="Phone" type="xs:string" minOccurs="0"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="Field">
        <xs:sequence>
          <xs:element name="Name" type="xs:string"/>
          <xs:element name="Value" type="xs:string"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="ArrayOfField">
        <xs:sequence>
          <xs:element name="Field" type="tns:Field" minOccurs="0" maxOccurs="unbounded"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="CaseUpdate">
        <xs:sequence>
          <xs:element name="UpdateId" type="xs:string"/>
          <xs:element name="CaseReference" type="xs:string"/>
          <xs:element name="Status" type="xs:string"/>
          <xs:element name="Notes" type="xs:string" minOccurs="0"/>
          <xs:element name="UpdatedAt" type="xs:dateTime"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="ArrayOfCaseUpdate">
        <xs:sequence>
          <xs:element name="CaseUpdate" type="tns:CaseUpdate" minOccurs="0"
              maxOccurs="unbounded"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="ArrayOfCaseReference">
        <xs:sequence>
          <xs:element name="CaseReference" type="xs:string" minOccurs="0"
              maxOccurs="unbounded"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="Attachment">
        <xs:sequence>
          <xs:element name="AttachmentId" type="xs:string"/>
          <xs:element name="ClientReference" type="xs:string" minOccurs="0"/>
          <xs:element name="FileName" type="xs:string"/>
          <xs:element name="ContentType" type="xs:string"/>
          <xs:element name="Size" type="xs:long"/>
          <xs:element name="AddedAt" type="xs:dateTime"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="ArrayOfAttachment">
        <xs:sequence>
          <xs:element name="Attachment" type="tns:Attachment" minOccurs="0"
              maxOccurs="unbounded"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="Note">
        <xs:sequence>
          <xs:element name="NoteId" type="xs:string"/>
          <xs:element name="ClientReference" type="xs:string" minOccurs="0"/>
          <xs:element name="NoteType" type="xs:string"/>
          <xs:element name="Text" type="xs:string"/>
          <xs:element name="SentAt" type="xs:dateTime" minOccurs="0"/>
          <xs:element name="AddedAt" type="xs:dateTime"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="ArrayOfNote">
        <xs:sequence>
          <xs:element name="Note" type="tns:Note" minOccurs="0" maxOccurs="unbounded"/>
        </xs:sequence>
      </xs:complexType>
      <xs:element name="Authenticate">
        <xs:complexType><xs:sequence>
          <xs:element name="Username" type="xs:string"/>
          <xs:element name="Password" type="xs:string"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="AuthenticateResponse">
        <xs:complexType><xs:sequence>
          <xs:element name="SessionToken" type="tns:Token"/>
          <xs:element name="ExpiresAt" type="xs:dateTime" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="CreateServiceRequest">
        <xs:complexType><xs:sequence>
          <xs:element name="SessionToken" type="tns:Token"/>
          <xs:element name="ClientReference" type="xs:string"/>
          <xs:element name="ServiceCode" type="xs:string"/>
          <xs:element name="Description" type="xs:string"/>
          <xs:element name="UPRN" type="xs:string" minOccurs="0"/>
          <xs:element name="Easting" type="xs:decimal" minOccurs="0"/>
          <xs:element name="Northing" type="xs:decimal" minOccurs="0"/>
          <xs:element name="Latitude" type="xs:decimal" minOccurs="0"/>
          <xs:element name="Longitude" type="xs:decimal" minOccurs="0"/>
          <xs:element name="Contact" type="tns:Contact" minOccurs="0"/>
          <xs:element name="Fields" type="tns:ArrayOfField" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="CreateServiceRequestResponse">
        <xs:complexType><xs:sequence>
          <xs:element name="CaseReference" type="xs:string"/>
          <xs:element name="Created" type="xs:boolean"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="GetCaseUpdatesSince">
        <xs:complexType><xs:sequence>
          <xs:element name="SessionToken" type="tns:Token"/>
          <xs:element name="Since" type="xs:dateTime" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="GetCaseUpdatesSinceResponse">
        <xs:complexType><xs:sequence>
          <xs:element name="Updates" type="tns:ArrayOfCaseUpdate"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="FindCasesByClientReference">
        <xs:complexType><xs:sequence>
          <xs:element name="SessionToken" type="tns:Token"/>
          <xs:element name="ClientReference" type="xs:string"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="FindCasesByClientReferenceResponse">
        <xs:complexType><xs:sequence>
          <xs:element name="Cases" type="tns:ArrayOfCaseReference"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="AddAttachment">
        <xs:complexType><xs:sequence>
          <xs:element name="SessionToken" type="tns:Token"/>
          <xs:element name="CaseReference" type="xs:string"/>
          <xs:element name="ClientReference" type="xs:string"/>
          <xs:element name="FileName" type="xs:string"/>
          <xs:element name="ContentType" type="xs:string"/>
          <xs:element name="Content" type="xs:base64Binary"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="AddAttachmentResponse">
        <xs:complexType><xs:sequence>
          <xs:element name="AttachmentId" type="xs:string"/>
          <xs:element name="Created" type="xs:boolean"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="GetCaseAttachments">
        <xs:complexType><xs:sequence>
          <xs:element name="SessionToken" type="tns:Token"/>
          <xs:element name="CaseReference" type="xs:string"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="GetCaseAttachmentsResponse">
        <xs:complexType><xs:sequence>
          <xs:element name="Attachments" type="tns:ArrayOfAttachment"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="AddNote">
        <xs:complexType><xs:sequence>
          <xs:element name="SessionToken" type="tns:Token"/>
          <xs:element name="CaseReference" type="xs:string"/>
          <xs:element name="ClientReference" type="xs:string"/>
          <xs:element name="NoteType" type="xs:string"/>
          <xs:element name="Text" type="xs:string"/>
          <xs:element name="SentAt" type="xs:dateTime" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="AddNoteResponse">
        <xs:complexType><xs:sequence>
          <xs:element name="NoteId" type="xs:string"/>
          <xs:element name="Created" type="xs:boolean"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="GetCaseNotes">
        <xs:complexType><xs:sequence>
          <xs:element name="SessionToken" type="tns:Token"/>
          <xs:element name="CaseReference" type="xs:string"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="GetCaseNotesResponse">
        <xs:complexType><xs:sequence>
          <xs:element name="Notes" type="tns:ArrayOfNote"/>
        </xs:sequence></xs:complexType>
      </xs:element>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="AuthenticateIn"><wsdl:part name="parameters" element="tns:Authenticate"/>
  </wsdl:message>
  <wsdl:message name="AuthenticateOut">
    <wsdl:part name="parameters" element="tns:AuthenticateResponse"/>
  </wsdl:message>
  <wsdl:message name="CreateServiceRequestIn">
    <wsdl:part name="parameters" element="tns:CreateServiceRequest"/>
  </wsdl:message>
  <wsdl:message name="CreateServiceRequestOut">
    <wsdl:part name="parameters" element="tns:CreateServiceRequestResponse"/>
  </wsdl:message>
  <wsdl:message name="GetCaseUpdatesSinceIn">
    <wsdl:part name="parameters" element="tns:GetCaseUpdatesSince"/>
  </wsdl:message>
  <wsdl:message name="GetCaseUpdatesSinceOut">
    <wsdl:part name="parameters" element="tns:GetCaseUpdatesSinceResponse"/>
  </wsdl:message>
  <wsdl:message name="FindCasesByClientReferenceIn">
    <wsdl:part name="parameters" element="tns:FindCasesByClientReference"/>
  </wsdl:message>
  <wsdl:message name="FindCasesByClientReferenceOut">
    <wsdl:part name="parameters" element="tns:FindCasesByClientReferenceResponse"/>
  </wsdl:message>
  <wsdl:message name="AddAttachmentIn">
    <wsdl:part name="parameters" element="tns:AddAttachment"/>
  </wsdl:message>
  <wsdl:message name="AddAttachmentOut">
    <wsdl:part name="parameters" element="tns:AddAttachmentResponse"/>
  </wsdl:message>
  <wsdl:message name="GetCaseAttachmentsIn">
    <wsdl:part name="parameters" element="tns:GetCaseAttachments"/>
  </wsdl:message>
  <wsdl:message name="GetCaseAttachmentsOut">
    <wsdl:part name="parameters" element="tns:GetCaseAttachmentsResponse"/>
  </wsdl:message>
  <wsdl:message name="AddNoteIn"><wsdl:part name="parameters" element="tns:AddNote"/>
  </wsdl:message>
  <wsdl:message name="AddNoteOut">
    <wsdl:part name="parameters" element="tns:AddNoteResponse"/>
  </wsdl:message>
  <wsdl:message name="GetCaseNotesIn">
    <wsdl:part name="parameters" element="tns:GetCaseNotes"/>
  </wsdl:message>
  <wsdl:message name="GetCaseNotesOut">
    <wsdl:part name="parameters" element="tns:GetCaseNotesResponse"/>
  </wsdl:message>
  <wsdl:portType name="CaseServicePortType">
{_port_operations(operations)}
  </wsdl:portType>
  <wsdl:binding name="CaseServiceSoap" type="tns:CaseServicePortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
{_binding_operations(operations)}
  </wsdl:binding>
  <wsdl:service name="CaseService">
    <wsdl:port name="CaseServiceSoap" binding="tns:CaseServiceSoap">
      <soap:address location="{address}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""


def _port_operations(operations: tuple[str, ...]) -> str:
    return "\n".join(
        f'    <wsdl:operation name="{name}"><wsdl:input message="tns:{name}In"/>'
        f'<wsdl:output message="tns:{name}Out"/></wsdl:operation>'
        for name in operations
    )


def _binding_operations(operations: tuple[str, ...]) -> str:
    return "\n".join(
        f'    <wsdl:operation name="{name}"><soap:operation soapAction="{NS}/{name}"/>'
        '<wsdl:input><soap:body use="literal"/></wsdl:input>'
        '<wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>'
        for name in operations
    )
