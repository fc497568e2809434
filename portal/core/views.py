from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html")


def health(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})
