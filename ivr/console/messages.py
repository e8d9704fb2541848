"""Text messages (every channel of the registry): the list beside the calls, and one message with its
readings and the delivery of the notices it caused (an expiry, a reply sent after the webhook)."""

from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, selectinload

from ivr.channels import TRAITS
from ivr.console.blueprint import ROW_ID, routes
from ivr.console.clock import ConsoleClock
from ivr.console.listing import Filters, day, number, paginate, within
from ivr.console.masking import privacy
from ivr.console.parts import ConsoleParts
from ivr.flows import MessageStatus
from ivr.mail import aside, servers
from ivr.store.models import Account, Message, Meter, Notice, Reading

CHANNELS = tuple(TRAITS)
STATUSES = tuple(MessageStatus)
MESSAGE_FILTERS = ("start", "end", "channel", "status", "account", "flagged", "undelivered", "unmask")
UNDELIVERED = Notice.failed_at.is_not(None)  # given up: refused for good, or out of attempts


def subject(message: Message) -> str:
    """How the audit log names a message whose sender was shown."""
    return f"message:{message.id}"


def messages_query(clock: ConsoleClock, f: Filters) -> Select:
    """The messages that match the filters, newest first."""
    query = select(Message).outerjoin(Account, Message.account_id == Account.id)
    query = query.where(*within(clock, Message.received_at, day(f.get("start")), day(f.get("end"))))
    if f.get("channel") in CHANNELS:
        query = query.where(Message.channel == f.get("channel"))
    if f.get("status") in STATUSES:
        query = query.where(Message.status == f.get("status"))
    if f.get("account"):
        query = query.where(Account.number.startswith(f.get("account"), autoescape=True))
    if f.get("flagged") == "1":
        query = query.where(exists().where(Reading.message_id == Message.id, Reading.flags != ""))
    if f.get("undelivered") == "1":
        query = query.where(exists().where(Notice.message_id == Message.id, UNDELIVERED))
    return query.order_by(Message.received_at.desc(), Message.id.desc())


def readings_of(s: Session, message_ids: list[int]) -> dict[int, list[Reading]]:
    """The readings each message produced, with their meters."""
    query = (
        select(Reading)
        .where(Reading.message_id.in_(message_ids))
        .options(selectinload(Reading.meter).selectinload(Meter.account))
        .order_by(Reading.id)
    )
    found: dict[int, list[Reading]] = {}
    for r in s.scalars(query):
        found.setdefault(r.message_id, []).append(r)
    return found


@routes.get("/messages")
def messages(parts: ConsoleParts) -> str:
    """List text messages, newest first, senders and texts masked unless asked otherwise."""
    f = Filters.parse(request.args, MESSAGE_FILTERS)
    query = messages_query(parts.clock, f).options(selectinload(Message.account))
    page = paginate(parts.session(), query, number(request.args.get("page")))
    pd = privacy(parts, "messages", [subject(m) for m in page.items], f.values)
    return render_template(
        "console/messages.html",
        page=page,
        f=f,
        pd=pd,
        readings=readings_of(parts.session(), [m.id for m in page.items]),
        channels=CHANNELS,
        statuses=STATUSES,
        mail=parts.mail.imap is not None,
        undelivered=parts.session().scalar(select(func.count()).where(UNDELIVERED)),
    )


@routes.get("/messages/set-aside")
def set_aside(parts: ConsoleParts) -> str:
    """The letters the e-mail poller could not take and set aside for a person, senders masked."""
    pd = privacy(parts, "set-aside")  # masked: the page has no switch to show them
    total, letters, error = 0, [], None
    try:
        if parts.mail.imap is not None:
            total, letters = aside.set_aside(parts.mail)
    except servers.NoFolder:
        pass  # no letter was ever set aside
    except servers.DOWN as failed:
        error = str(failed)
    return render_template("console/set_aside.html", pd=pd, total=total, letters=letters, error=error,
                           folder=parts.mail.failed_folder, mail=parts.mail.imap is not None)  # fmt: skip


@routes.get(f"/messages/<{ROW_ID}:message_id>")
def message(parts: ConsoleParts, message_id: int) -> str:
    """One message: what the sender wrote, what the hotline answered, the readings it produced."""
    found = parts.session().get(Message, message_id) or abort(404)
    pd = privacy(parts, subject(found), [subject(found)])
    address = found.account.address if found.account else None
    return render_template(
        "console/message.html",
        message=found,
        pd=pd,
        address=address,
        readings=readings_of(parts.session(), [found.id]).get(found.id, []),
        notices=parts.session()
        .scalars(select(Notice).where(Notice.message_id == found.id).order_by(Notice.id))
        .all(),
    )
