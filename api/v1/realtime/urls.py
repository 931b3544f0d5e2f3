"""Routes of api/v1/realtime/ (mounted under /api/v1/ by api/urls.py)."""

from django.urls import path

from api.v1.realtime import views as realtime

# On every host.
common_urlpatterns = [
    path("realtime/ticket/", realtime.RealtimeTicketView.as_view(), name="realtime-ticket"),
    path("realtime/stream/", realtime.realtime_stream, name="realtime-stream"),
]
