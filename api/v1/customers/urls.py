"""Routes of api/v1/customers/ (mounted under /api/v1/ by api/urls.py)."""

from django.urls import path

from api.v1.customers import documents, home
from api.v1.customers import views as customers

# On a tenant's host only.
tenant_urlpatterns = [
    path("customers/", customers.CustomerListCreateView.as_view(), name="customers"),
    path("customers/import/", customers.CustomerImportView.as_view(), name="customers-import"),
    path("customers/export/", customers.CustomerExportView.as_view(), name="customers-export"),
    path("customers/<int:pk>/", customers.CustomerDetailView.as_view(), name="customer"),
    path("customers/<int:pk>/vehicles/", customers.CustomerVehiclesView.as_view(), name="customer-vehicles"),
    path(
        "customers/<int:pk>/follow-ups/",
        customers.FollowUpListCreateView.as_view(),
        name="customer-follow-ups",
    ),
    path("vehicles/<int:pk>/", customers.VehicleDetailView.as_view(), name="vehicle"),
    path("reminders/", customers.ReminderListView.as_view(), name="reminders"),
    path("reminders/<int:pk>/close/", customers.ReminderCloseView.as_view(), name="reminder-close"),
    path("my/customer/", customers.OwnerProfileView.as_view(), name="my-customer"),
    path("my/vehicles/", customers.OwnerVehiclesView.as_view(), name="my-vehicles"),
    path("my/reminders/", customers.OwnerRemindersView.as_view(), name="my-reminders"),
    # 证件照片 kept from 拍照识别 (customers.documents)
    path(
        "customers/<int:pk>/documents/", documents.CustomerDocumentsView.as_view(), name="customer-documents"
    ),
    path("my/documents/", documents.OwnerDocumentsView.as_view(), name="my-documents"),
    path("documents/<int:pk>/file/", documents.DocumentFileView.as_view(), name="document-file"),
    path("my/home/", home.OwnerHomeView.as_view(), name="my-home"),
]
