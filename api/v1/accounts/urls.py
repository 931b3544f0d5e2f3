"""Routes of api/v1/accounts/ (mounted under /api/v1/ by api/urls.py)."""

from django.urls import path

from api.v1.accounts import auth, me, security, wechat

# On every host.
common_urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    path("auth/sms/send/", auth.SmsSendView.as_view(), name="auth-sms-send"),
    path("auth/sms/token/", auth.SmsTokenView.as_view(), name="auth-sms-token"),
    path("auth/logout/", auth.LogoutView.as_view(), name="auth-logout"),
    path("auth/refresh/", auth.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout-all/", auth.LogoutAllView.as_view(), name="auth-logout-all"),
    path("auth/password/", auth.PasswordChangeView.as_view(), name="auth-password"),
    path("me/", me.MeView.as_view(), name="me"),
    path("auth/totp/", security.TotpView.as_view(), name="auth-totp"),
    path("auth/totp/setup/", security.TotpSetupView.as_view(), name="auth-totp-setup"),
    path("auth/totp/confirm/", security.TotpConfirmView.as_view(), name="auth-totp-confirm"),
    path("auth/totp/disable/", security.TotpDisableView.as_view(), name="auth-totp-disable"),
    path("account-locks/", security.LoginLocksView.as_view(), name="account-locks"),
    path("account-locks/unlock/", security.LoginUnlockView.as_view(), name="account-unlock"),
]

# On a tenant's host only.
tenant_urlpatterns = [
    path("auth/signup-ticket/", auth.SignupTicketTokenView.as_view(), name="auth-signup-ticket"),
    path("wechat/settings/", wechat.WeChatSettingsView.as_view(), name="wechat-settings"),
    path("wechat/oauth/url/", wechat.WeChatAuthorizeView.as_view(), name="wechat-oauth-url"),
    path("wechat/oauth/login/", wechat.WeChatLoginView.as_view(), name="wechat-login"),
    path("wechat/bind/", wechat.WeChatBindView.as_view(), name="wechat-bind"),
    path("wechat/bind-me/", wechat.WeChatBindMeView.as_view(), name="wechat-bind-me"),
    path("wechat/jssdk/", wechat.JsSdkSignatureView.as_view(), name="wechat-jssdk"),
]
