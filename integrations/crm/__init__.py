"""A CRM over its REST API (Dynamics 365 or Salesforce): see adapter.py."""
