"""The queues: what each holds, counts, filters, search (pinyin and initials too), keyset paging."""
from __future__ import annotations

from datetime import timedelta

from tests.admin.conftest import REPLY, advance, bearer, new_case
from xinfang.models import utcnow


def codes(client, token, **params):
    body = client.get("/api/v1/staff/cases", query_string=params, headers=bearer(token)).get_json()
    return [c["tracking_code"] for c in body["cases"]]


def test_intake_shows_new_cases_with_the_classifiers_proposal_and_reasons(session, cal, signed_in):
    case = new_case(session, cal)
    page = signed_in("clerk").get("/admin/queue/intake").get_data(as_text=True)
    assert case.tracking_code in page and "劳动和社会保障" in page and "建议" in page
    detail = signed_in("clerk").get(f"/admin/cases/{case.tracking_code}").get_data(as_text=True)
    assert "分类：劳动和社会保障（关键词：拖欠、工资）" in detail and "置信度 0.91" in detail


def test_each_queue_holds_its_cases(session, cal, client, tokens):
    received = new_case(session, cal, openid="o-a")
    start = utcnow() - timedelta(days=20)
    overdue = advance(session, cal, new_case(session, cal, openid="o-b", text="村里的路断了三个月没人修", now=start),
                      ("assign", {"department": "rsj"}, 0), start=start)  # 15 days to notify: past
    replied = advance(session, cal, new_case(session, cal, openid="o-c", text="低保被取消了想问问原因"),
                      ("assign", {"department": "rsj"}, 0), ("accept", {}, 0), ("reply", REPLY, 0))
    reviewed = advance(session, cal, new_case(session, cal, openid="o-d", text="对答复不满意申请复查，补偿款太少"),
                       ("assign", {"department": "rsj"}, 0), ("accept", {}, 0), ("reply", REPLY, 0),
                       ("request_review", {}, 0))
    token = tokens["admin"]
    assert codes(client, token, queue="intake") == [received.tracking_code]
    assert codes(client, token, queue="overdue") == [overdue.tracking_code]
    assert codes(client, token, queue="review") == [reviewed.tracking_code]
    assert set(codes(client, token, queue="survey")) == {replied.tracking_code, reviewed.tracking_code}
    counts = {q["name"]: q["count"] for q in client.get("/api/v1/staff/queues", headers=bearer(token)).get_json()["queues"]}
    assert counts["intake"] == 1 and counts["overdue"] == 1 and counts["all"] == 4
    handler_todo = codes(client, tokens["handler"], queue="mine")
    assert set(handler_todo) == {overdue.tracking_code, reviewed.tracking_code}


def test_search_finds_a_name_by_pinyin_and_initials_and_by_phone_and_code(session, cal, client, tokens):
    zhaxi = new_case(session, cal, name="扎西", phone="13800001234", openid="o-zx")
    new_case(session, cal, name="卓玛", phone="13900005678", openid="o-zm", text="孩子上学的补助一直没有发下来")
    token = tokens["clerk"]
    for term in ("zhaxi", "zx", "ZhaXi", "扎西", "13800001234", zhaxi.tracking_code, zhaxi.tracking_code.lower()):
        assert codes(client, token, q=term) == [zhaxi.tracking_code], term
    assert codes(client, token, q="补助") != [zhaxi.tracking_code] and len(codes(client, token, q="补助")) == 1
    assert codes(client, token, q="nobody") == []


def test_the_panel_searches_and_filters_too(session, cal, signed_in):
    zhaxi = new_case(session, cal, name="扎西", openid="o-zx")
    other = new_case(session, cal, name="卓玛", openid="o-zm", county="泸定县", text="孩子上学的补助一直没有发下来")
    page = signed_in("clerk").get("/admin/queue/all?q=zx").get_data(as_text=True)
    assert zhaxi.tracking_code in page and other.tracking_code not in page
    page = signed_in("clerk").get("/admin/queue/all", query_string={"county": "泸定县"}).get_data(as_text=True)
    assert other.tracking_code in page and zhaxi.tracking_code not in page


def test_filters_combine_and_bad_values_are_refused(session, cal, client, tokens):
    urgent = new_case(session, cal, openid="o-u", labels={"category": "城乡建设", "urgent": True, "path": "petition",
                                                          "department": "zjj", "reasons": []})
    plain = new_case(session, cal, openid="o-p")
    token = tokens["clerk"]
    assert codes(client, token, flag="urgent") == [urgent.tracking_code]
    assert codes(client, token, category="劳动和社会保障") == [plain.tracking_code]
    today = cal.local_date(utcnow()).isoformat()
    assert set(codes(client, token, **{"from": today, "to": today})) == {urgent.tracking_code, plain.tracking_code}
    assert codes(client, token, **{"to": "2020-01-01"}) == []
    for bad in ({"status": "nonsense"}, {"flag": "vip"}, {"from": "yesterday"}, {"after": "garbage"}):
        response = client.get("/api/v1/staff/cases", query_string=bad, headers=bearer(token))
        assert response.status_code == 400 and response.get_json()["message"]


def test_keyset_paging_walks_every_case_once_in_deadline_order(session, cal, client, tokens):
    start = utcnow() - timedelta(days=10)
    made = [new_case(session, cal, openid=f"o-{i}", text=f"第{i}件事：村道损坏需要维修，已经很久了", now=start + timedelta(hours=i))
            for i in range(7)]
    seen, after = [], None
    while True:
        params = {"queue": "intake", "limit": 3, **({"after": after} if after else {})}
        body = client.get("/api/v1/staff/cases", query_string=params, headers=bearer(tokens["clerk"])).get_json()
        seen += [c["tracking_code"] for c in body["cases"]]
        assert body["total"] == 7
        after = body["next"]
        if not after:
            break
    assert seen == [c.tracking_code for c in made]  # the earliest deadline first


def test_a_case_found_by_its_words_and_by_its_name_is_listed_and_counted_once(session, cal, client, tokens):
    both = new_case(session, cal, name="扎西", openid="o-zx", text="扎西家的工钱被老板拖欠了半年")
    new_case(session, cal, name="卓玛", openid="o-zm", text="孩子上学的补助一直没有发下来")
    body = client.get("/api/v1/staff/cases", query_string={"q": "扎西"}, headers=bearer(tokens["clerk"])).get_json()
    assert [c["tracking_code"] for c in body["cases"]] == [both.tracking_code] and body["total"] == 1


def test_a_departments_queue_merges_the_cases_it_reviews_in_deadline_order(session, cal, client, tokens):
    start = utcnow() - timedelta(days=10)
    soonest = advance(session, cal, new_case(session, cal, openid="o-1", now=start),
                      ("assign", {"department": "rsj"}, 0), start=start)
    reviewed = advance(session, cal, new_case(session, cal, openid="o-2", text="小区物业乱收费，业主多次反映无果", now=start),
                       ("assign", {"department": "zjj"}, 0), ("accept", {}, 1), start=start)
    reviewed.review_department_code = "rsj"  # the body one level up for this one (Art. 35)
    session.commit()
    later = advance(session, cal, new_case(session, cal, openid="o-3", text="村里的路断了三个月没人修"),
                    ("assign", {"department": "rsj"}, 0))
    seen, after = [], None
    while True:
        params = {"queue": "mine", "limit": 1, **({"after": after} if after else {})}
        body = client.get("/api/v1/staff/cases", query_string=params, headers=bearer(tokens["handler"])).get_json()
        seen += [c["tracking_code"] for c in body["cases"]]
        assert body["total"] == 3
        after = body["next"]
        if not after:
            break
    assert seen == [soonest.tracking_code, later.tracking_code, reviewed.tracking_code]
    assert codes(client, tokens["other"], queue="mine") == [reviewed.tracking_code]
