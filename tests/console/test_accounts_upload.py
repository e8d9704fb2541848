"""An admin uploads the accounts file in the console: errors by line and field, or a preview of the
meters it adds, changes and retires, then the confirmed import; each step audited."""

from __future__ import annotations

import io

from sqlalchemy import select

from ivr.store.accounts_csv import HEADER
from ivr.store.models import AuditEvent, Meter, Upload
from tests.conftest import ACCOUNTS_CSV, NOW
from tests.sessions import session

# Russian Excel's CSV: cp1251, ';', CRLF, dates DD.MM.YYYY. M-1 changes, N-1 is new, M-4 and M-5 leave.
EXCEL = "\r\n".join([";".join(HEADER),
    '100001;8 (916) 123-45-67;ул. Ленина, д. 1, кв. 1;Москва;M-1;1;6;1010;;;17.11.2026',
    '200002;+7 (499) 550-9-550;ул. Мира, д. 2;Москва;M-2;2;6;5000;3000;;17.10.2026',
    '200002;+7 (499) 550-9-550;ул. Мира, д. 2;Москва;M-3;3;6;100;200;300;17.10.2026',
    '500005;+7 916 555-00-11;ул. Новая, д. 5;Москва;N-1;1;6;10;;;20.11.2026', ""]).encode("cp1251")  # fmt: skip


def upload(console, data: bytes, name: str = "accounts.csv", **form: str):  # noqa: ANN001, ANN201
    return console.post("/console/accounts/import", {"file": (io.BytesIO(data), name), **form},
                        content_type="multipart/form-data")  # fmt: skip


def meters(app) -> dict[str, tuple[int | None, bool]]:
    with app.app_context():
        rows = session().execute(select(Meter.serial, Meter.last_t1, Meter.retired_at.is_not(None)))
        return {serial: (t1, retired) for serial, t1, retired in rows}


def audited(app) -> list[tuple[str, str, str | None, str | None]]:
    with app.app_context():
        events = session().scalars(
            select(AuditEvent).where(AuditEvent.action.like("accounts-%")).order_by(AuditEvent.id)
        )
        return [(e.action, e.subject, e.new, e.note) for e in events]


def test_admin_sees_what_the_file_changes_writes_nothing_then_confirms(app, login):
    console = login("admin")
    before = meters(app)
    preview = upload(console, EXCEL)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert (
        'id="meters-new">1<' in page and 'id="meters-updated">1<' in page and 'id="meters-retired">2<' in page
    )
    assert "M-4, M-5" in page and "cp1251" in page
    assert meters(app) == before  # only a preview
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]

    done = console.post("/console/accounts/import/confirm", {"token": token})
    assert done.status_code == 303
    after = meters(app)
    assert after["M-1"] == (1010, False) and after["N-1"] == (10, False)
    assert after["M-4"][1] and after["M-5"][1]
    assert "Новых счётчиков: 1, изменённых: 1, выведено: 2" in console.get(done.location).get_data(
        as_text=True
    )
    summary = "4 row(s): 1 new, 1 updated, 2 retired meter(s)"
    assert audited(app) == [("accounts-preview", "accounts:accounts.csv", summary, None),
                            ("accounts-import", "accounts:accounts.csv", summary, None)]  # fmt: skip
    with app.app_context():
        assert session().scalars(select(Upload)).all() == []  # the file is not kept once imported
    again = console.post("/console/accounts/import/confirm", {"token": token})
    assert again.status_code == 303 and meters(app) == after


def test_errors_are_listed_by_line_and_field_and_nothing_is_kept(app, login):
    console = login("admin")
    bad = EXCEL.replace(b";1;6;10;;;20.11.2026", b";4;6;10;;;31.11.2026")
    response = upload(console, bad, "bad.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<td class="mono">5</td><td class="mono">zones</td>' in page
    assert '<td class="mono">5</td><td class="mono">read_on</td>' in page
    assert 'name="token"' not in page  # nothing to confirm
    with app.app_context():
        assert session().scalars(select(Upload)).all() == []
    [(action, subject, new, note)] = audited(app)
    assert (action, subject, new) == ("accounts-preview", "accounts:bad.csv", None)
    assert note == "refused: 2 error(s), the first at line 5 (zones)"  # where, never the cells


def test_a_file_mixing_encodings_is_refused_naming_its_line(app, login):
    mixed = ACCOUNTS_CSV.encode() + "500005,,ул. Новая,Москва,N-1,1,6,10,,,2026-11-20\n".encode("cp1251")
    page = upload(login("admin"), mixed).get_data(as_text=True)
    assert "line 7: byte 0xf3 is not UTF-8, while line 2 is UTF-8" in page


def test_only_admins_upload_and_one_admin_cannot_confirm_anothers_file(app, login, users):
    for role in ("qa", "supervisor"):
        console = login(role)
        assert console.get("/console/accounts/import").status_code == 403
        assert upload(console, EXCEL).status_code == 403
    from ivr.console.accounts import add_user
    from tests.console.conftest import PASSWORD
    from tests.sessions import transaction

    with app.app_context(), transaction() as s:
        add_user(s, "admin2", "admin", PASSWORD, NOW)
    page = upload(login("admin"), EXCEL).get_data(as_text=True)
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    before = meters(app)
    other = login("admin2")
    assert other.post("/console/accounts/import/confirm", {"token": token}).status_code == 303
    assert meters(app) == before
