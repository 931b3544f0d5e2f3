"""Policy push: an announcement reaches exactly its audience, each recipient's app is told at once,
and the sender sees who read it and when."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from core.realtime import recent, user_channel
from network.models import DistributorStatus
from notices.models import Announcement, AnnouncementReceipt
from notices.services import announcement_publish
from tests.conftest import person
from tests.insurers import enable_insurers

POLICY = "<p>即日起 <strong>交强险</strong> 手续费上调至 4%</p>"


def publish(client, **overrides):
    body = {
        "title": "平安车险手续费调整",
        "body_html": POLICY,
        "effective_from": "2026-12-01",
        "effective_until": "2026-12-31",
        "audience": "all",
        **overrides,
    }
    return client.post("/api/v1/notices/announcements/", body, format="json")


def recipients(announcement_id: int) -> set[str]:
    with schema_context("datang"):
        return set(
            AnnouncementReceipt.objects.filter(announcement_id=announcement_id).values_list(
                "user__name", flat=True
            )
        )


def test_an_announcement_reaches_all_agents_chosen_tiers_or_chosen_agents(api, team) -> None:
    admin = api("datang_admin")
    with schema_context("datang"):
        team.member.status = DistributorStatus.INACTIVE  # 刘小军 has left: nothing reaches him
        team.member.save(update_fields=["status"])

    to_all = publish(admin)
    assert to_all.status_code == 201, to_all.json()
    assert to_all.json()["recipients"] == 3
    assert recipients(to_all.json()["id"]) == {"唐总", "王海峰", "钱多多"}

    lead_tier = team.lead.tier_id
    to_tier = publish(admin, audience="tiers", tier_ids=[lead_tier])
    assert to_tier.json()["recipients"] == 2
    assert recipients(to_tier.json()["id"]) == {"王海峰", "钱多多"}

    to_one = publish(admin, audience="agents", agent_ids=[team.peer.pk])
    assert to_one.json()["recipients"] == 1
    assert recipients(to_one.json()["id"]) == {"钱多多"}
    assert to_one.json()["audience_label"] == "指定代理人"


def test_each_recipient_s_app_is_told_after_the_commit(
    team, datang, django_capture_on_commit_callbacks
) -> None:
    with schema_context("datang"):
        with django_capture_on_commit_callbacks(execute=True):
            announcement = announcement_publish(
                actor=None, title="年末冲刺奖励", body_html="<p>12 月出单加奖 1%</p>", effective_from=date(2026, 12, 1),
                audience="agents", agent_ids=[team.lead.pk],
            )  # fmt: skip
    pushed = recent(user_channel(team.lead.user_id, "datang"), count=5)
    assert {"event": "notices.announcement", "data": {"id": announcement.pk, "title": "年末冲刺奖励"}} in [
        {"event": m["event"], "data": m["data"]} for m in pushed
    ]
    # 钱多多 was not in the audience: his channel got nothing about it.
    others = recent(user_channel(team.peer.user_id, "datang"), count=20)
    assert all(m["data"].get("id") != announcement.pk for m in others)


def test_a_large_audience_is_pushed_by_a_worker_after_the_commit(
    team, datang, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    import notices.services
    from notices.tasks import realtime_push_task

    monkeypatch.setattr(notices.services, "PUSH_INLINE_MAX", 2)  # the team's 4 agents count as "large"
    queued = []
    monkeypatch.setattr(
        realtime_push_task, "delay", lambda *args: queued.append(realtime_push_task.apply(args))
    )
    with schema_context("datang"):
        with django_capture_on_commit_callbacks(execute=True):
            announcement = announcement_publish(
                actor=None, title="全员大会", body_html="<p>周五开会</p>", effective_from=date(2026, 12, 4)
            )
    assert [q.result for q in queued] == [4]
    for agent in (team.lead, team.member, team.peer):
        assert recent(user_channel(agent.user_id, "datang"), count=1)[0]["data"] == {
            "id": announcement.pk, "title": "全员大会"
        }  # fmt: skip


def test_read_receipts_show_who_read_it_and_when(api, team, as_distributor) -> None:
    admin = api("datang_admin")
    created = publish(admin).json()
    agent = as_distributor(team.lead)

    assert agent.get("/api/v1/notices/unread/").json()["announcements"] == 1
    mine = agent.get("/api/v1/notices/my-announcements/").json()["results"]
    assert [(m["title"], m["read_at"]) for m in mine] == [("平安车险手续费调整", None)]

    opened = agent.post(f"/api/v1/notices/my-announcements/{created['id']}/read/")
    assert opened.status_code == 200
    assert opened.json()["body_html"] == POLICY
    first_read = opened.json()["read_at"]
    # Opening it again keeps the first reading time.
    assert (
        agent.post(f"/api/v1/notices/my-announcements/{created['id']}/read/").json()["read_at"] == first_read
    )
    assert agent.get("/api/v1/notices/unread/").json()["announcements"] == 0

    detail = admin.get(f"/api/v1/notices/announcements/{created['id']}/").json()
    assert (detail["recipients"], detail["read_count"], detail["unread_count"]) == (4, 1, 3)
    read = admin.get(f"/api/v1/notices/announcements/{created['id']}/receipts/?state=read").json()["results"]
    assert [(r["name"], r["read_at"]) for r in read] == [("王海峰", first_read)]
    unread = admin.get(f"/api/v1/notices/announcements/{created['id']}/receipts/?state=unread").json()[
        "results"
    ]
    assert sorted(r["name"] for r in unread) == ["刘小军", "唐总", "钱多多"]
    bad = admin.get(f"/api/v1/notices/announcements/{created['id']}/receipts/?state=maybe")
    assert bad.status_code == 400 and "state" in bad.json()["fields"]


def test_an_agent_cannot_open_an_announcement_that_was_not_sent_to_them(api, team, as_distributor) -> None:
    created = publish(api("datang_admin"), audience="agents", agent_ids=[team.peer.pk]).json()
    response = as_distributor(team.lead).post(f"/api/v1/notices/my-announcements/{created['id']}/read/")
    assert response.status_code == 404


def test_the_body_keeps_formatting_but_loses_scripts_and_handlers(api, team) -> None:
    created = publish(
        api("datang_admin"),
        body_html='<p onclick="steal()">费率<script>alert(1)</script><a href="javascript:x()">链接</a>'
        '<a href="https://www.pingan.com/x">官网</a></p>',
    ).json()
    assert created["body_html"] == (
        '<p>费率<a rel="noopener noreferrer">链接</a><a href="https://www.pingan.com/x" rel="noopener noreferrer">官网</a></p>'
    )


def test_bad_input_is_a_400_naming_each_field(api, team) -> None:
    admin = api("datang_admin")
    response = publish(admin, title=" ", body_html="<script>x</script>", effective_until="2026-11-01")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"title", "body_html", "effective_until"}
    assert publish(admin, audience="tiers", tier_ids=[]).json()["fields"] == {"tier_ids": ["请选择职级"]}
    assert publish(admin, audience="agents", agent_ids=[999999]).json()["fields"] == {
        "agent_ids": ["代理人不存在"]
    }
    assert publish(admin, effective_from="12/01").status_code == 400
    with schema_context("datang"):
        assert not Announcement.objects.exists()


def test_attachments_are_stored_per_tenant_and_served_only_on_its_host(api, team) -> None:
    admin = api("datang_admin")
    pdf = SimpleUploadedFile("费率表.pdf", b"%PDF-1.4 rates", content_type="application/pdf")
    response = admin.post(
        "/api/v1/notices/announcements/",
        {"title": "费率表", "body_html": "<p>见附件</p>", "effective_from": "2026-12-01", "audience": "all",
         "attachments": [pdf]},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    attachment = response.json()["attachments"][0]
    assert (attachment["name"], attachment["size"]) == ("费率表.pdf", 14)
    assert attachment["url"].startswith("/media/tenants/datang/notices/")
    served = api(None, host="datang.localhost").get(attachment["url"])
    assert served.status_code == 200 and b"".join(served.streaming_content) == b"%PDF-1.4 rates"
    assert api(None, host="bowei.localhost").get(attachment["url"]).status_code == 404


@pytest.mark.usefixtures("team")
def test_an_insurer_s_announcement_reaches_only_the_tenants_that_work_with_it(
    api, bowei, pingan_staff
) -> None:
    enable_insurers("datang", ["PINGAN", "PICC"])
    enable_insurers("bowei", ["PICC"])  # Bowei does not work with 平安
    staff = api(None)
    from accounts.services import auth_token_issue

    staff.credentials(
        HTTP_AUTHORIZATION=f"Bearer {auth_token_issue(user=pingan_staff, tenant_id=None).token}"
    )
    response = staff.post(
        "/api/v1/insurer/announcements/",
        {"title": "平安 2027 年车险政策", "body_html": "<p>新政策</p>", "effective_from": "2027-01-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(t["schema_name"], t["recipients"]) for t in body["tenants"]] == [("datang", 4)]
    assert body["recipients"] == 4
    with schema_context("datang"):
        copy = Announcement.objects.select_related("insurer").get()
        assert copy.insurer is not None
        assert (copy.source, copy.insurer.code, str(copy.publication)) == (
            "insurer",
            "PINGAN",
            body["publication"],
        )
    with schema_context("bowei"):
        assert not Announcement.objects.exists()

    # It takes effect on 1 January 2027: until then the agents do not see it; from then on they see
    # who sent it.
    lead = api("datang_agent")
    if timezone.localdate() < date(2027, 1, 1):
        assert lead.get("/api/v1/notices/my-announcements/").json()["results"] == []
        with schema_context("datang"):
            Announcement.objects.filter(pk=copy.pk).update(effective_from=timezone.localdate())
    assert (
        lead.get("/api/v1/notices/my-announcements/").json()["results"][0]["insurer_name"]
        == copy.insurer.name
    )
    lead.post(f"/api/v1/notices/my-announcements/{copy.pk}/read/")

    # The insurer sees its publication summed over the tenants it reached.
    [row] = staff.get("/api/v1/insurer/announcements/").json()
    assert (row["publication"], row["title"], row["tenants"], row["recipients"], row["read_count"]) == (
        body["publication"], "平安 2027 年车险政策", 1, 4, 1,
    )  # fmt: skip


def test_only_insurer_staff_publish_for_insurers(api) -> None:
    body = {"title": "x", "body_html": "<p>x</p>", "effective_from": "2027-01-01"}
    assert (
        api("platform_admin").post("/api/v1/insurer/announcements/", body, format="json").status_code == 403
    )
    assert api(None).post("/api/v1/insurer/announcements/", body, format="json").status_code == 401
    # A tenant's host has no insurer endpoint at all.
    assert api("datang_admin").post("/api/v1/insurer/announcements/", body, format="json").status_code == 404
    assert person("datang_admin").pk


def test_the_console_list_costs_the_same_queries_for_one_or_many_announcements(
    api, team, steady_hosts
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = api("datang_admin")
    publish(admin)
    with CaptureQueriesContext(connection) as one:
        assert admin.get("/api/v1/notices/announcements/").json()["count"] == 1
    for i in range(5):
        publish(admin, title=f"政策 {i}")
    with CaptureQueriesContext(connection) as six:
        assert admin.get("/api/v1/notices/announcements/").json()["count"] == 6
    assert len(six.captured_queries) == len(one.captured_queries) <= 12


def test_an_open_ended_policy_is_allowed_and_a_future_one_waits_for_its_first_day(
    api, team, as_distributor
) -> None:
    admin = api("datang_admin")
    today = timezone.localdate()
    # no end date: 长期
    lasting = publish(admin, title="长期政策", effective_from=today.isoformat(), effective_until=None)
    assert lasting.status_code == 201, lasting.json()
    assert lasting.json()["effective_until"] is None
    later = publish(admin, title="下月政策", effective_from=(today + timedelta(days=30)).isoformat(),
                    effective_until=None)  # fmt: skip
    assert later.status_code == 201, later.json()
    agent = as_distributor(team.lead)
    # the agent sees, counts and opens only the one in effect
    mine = agent.get("/api/v1/notices/my-announcements/").json()["results"]
    assert [m["title"] for m in mine] == ["长期政策"]
    assert agent.get("/api/v1/notices/unread/").json()["announcements"] == 1
    assert agent.post(f"/api/v1/notices/my-announcements/{later.json()['id']}/read/").status_code == 404
    # the sender still lists both, with their recipients
    sent = [a["title"] for a in admin.get("/api/v1/notices/announcements/").json()["results"]]
    assert sent[:2] == ["下月政策", "长期政策"]
    with schema_context("datang"):
        Announcement.objects.filter(pk=later.json()["id"]).update(effective_from=today)
    assert agent.get("/api/v1/notices/unread/").json()["announcements"] == 2


def test_the_tenant_s_admins_are_told_when_a_recipient_first_reads_it(
    api, team, as_distributor, django_capture_on_commit_callbacks
) -> None:
    """阅读回执 update while the admin's drawer is open: a first reading pushes notices.receipt to the
    tenant's admins (only this tenant's), a second opening pushes nothing."""
    created = publish(api("datang_admin")).json()
    agent = as_distributor(team.lead)
    admin_channel = user_channel(person("datang_admin").pk, "datang")
    other_channel = user_channel(person("bowei_admin").pk, "bowei")

    def receipts_pushed(channel: str) -> list[dict]:
        return [
            m["data"] for m in recent(channel, count=50)
            if m["event"] == "notices.receipt" and m["data"].get("announcement") == created["id"]
        ]  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        agent.post(f"/api/v1/notices/my-announcements/{created['id']}/read/")
    assert receipts_pushed(admin_channel) == [{"announcement": created["id"]}]
    with django_capture_on_commit_callbacks(execute=True):
        agent.post(f"/api/v1/notices/my-announcements/{created['id']}/read/")
    assert len(receipts_pushed(admin_channel)) == 1
    assert receipts_pushed(other_channel) == []
    # the agent's own channel is told it was read, not the receipt
    assert receipts_pushed(user_channel(team.lead.user_id, "datang")) == []
