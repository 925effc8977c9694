"""The portal's URLs, plus the bare view and the afternoon admin it is compared with."""

from django.http import HttpResponse
from django.urls import path

from bench.admin import site
from home.urls import urlpatterns as portal_urlpatterns


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/admin/", site.urls),
    *portal_urlpatterns,
]
