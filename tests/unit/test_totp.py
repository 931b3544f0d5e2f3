"""The authenticator codes are RFC 6238's (SHA-1, 30 s, 6 digits): the RFC's own test vectors."""

from accounts import totp

# RFC 6238 appendix B: the ASCII secret "12345678901234567890", in base32
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def test_codes_match_the_rfc_vectors() -> None:
    # the RFC prints 8 digits (94287082 at T=59 s, 07081804 at T=1111111109 s); apps show the last 6
    assert totp.code_at(RFC_SECRET, 59 // 30) == "287082"
    assert totp.code_at(RFC_SECRET, 1111111109 // 30) == "081804"


def test_a_code_is_found_within_one_step_of_the_clock_and_not_beyond() -> None:
    step = 1111111109 // 30
    assert totp.matching_step(RFC_SECRET, "081804", now=1111111109) == step
    assert totp.matching_step(RFC_SECRET, "081804", now=1111111109 + 30) == step  # a slow phone
    assert totp.matching_step(RFC_SECRET, "081804", now=1111111109 + 90) is None
    assert totp.matching_step(RFC_SECRET, "08180", now=1111111109) is None  # not six digits


def test_the_enrolment_uri_names_the_issuer_and_the_secret() -> None:
    uri = totp.provisioning_uri(RFC_SECRET, account="13700001001", issuer="大唐经纪")
    assert uri.startswith("otpauth://totp/")
    assert f"secret={RFC_SECRET}" in uri and "issuer=" in uri
    assert len(totp.secret_new()) == 32  # 160 bits in base32
