"""Authors editing and deleting their posts and comments.

Rules (each is tested):

* Only the author edits or deletes (403 ``not_author``), by identity token id, so a recovered
  identity keeps the right. Deleted content takes no edit (410 ``content_deleted``); hidden
  content takes none either (409 ``content_hidden``): an author cannot rewrite what the risk
  role is judging. Deleting hidden content is allowed (it removes the text for good).
* An edit keeps the replaced version in ``api_edits`` (body, a post's disclosure labels, when
  it was written and when replaced): ``GET /posts/{id}/history`` lists every version, newest
  first, under the same gate as the post. A post's instruments never change (orders name
  them); its disclosure labels may be corrected, and stay required while it names instruments.
  An edit that changes nothing records no version.
* Deletion is soft and final: the row stays (ids, orders, fills, decisions name it), its text
  and every earlier version are erased, ``deleted_at`` is set. The post leaves the feeds and
  answers ``deleted: true``; the week's rewards and attestations stop counting it
  (:mod:`planet.rewards.inputs`, :mod:`api.services.attestations`). Deleting twice is 410.
* Every change calls :func:`api.services.posts.content_changed` (the search hook).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, delete, insert, select, update

from api.errors import ErrorCode, Forbidden, Unprocessable
from api.services import posts as post_service
from api.services.identities import Identity
from api.services.posts import ContentChange, ContentDeleted
from planet.store.offchain import comments, edits, posts


@dataclass(frozen=True)
class Version:
    """One version of a post's or comment's text; ``replaced_at`` is None for the current."""

    body: str
    holds_position: bool | None
    sponsored: bool | None
    written_at: int
    replaced_at: int | None


def _own(row: RowMapping, who: Identity, noun: str) -> None:
    if row["author_token_id"] != who.token_id:
        raise Forbidden(f"{noun} {row['id']} is not yours", code=ErrorCode.NOT_AUTHOR)


def _keep_version(
    conn: Connection, chain_id: int, kind: str, row: RowMapping, now: int, labels: bool
) -> None:
    conn.execute(
        insert(edits).values(
            chain_id=chain_id,
            kind=kind,
            target_id=row["id"],
            body=row["body"],
            holds_position=row["holds_position"] if labels else None,
            sponsored=row["sponsored"] if labels else None,
            written_at=row["edited_at"] or row["created_at"],
            replaced_at=now,
        )
    )


def edit_post(
    conn: Connection,
    who: Identity,
    post_id: int,
    body: str | None,
    holds_position: bool | None,
    sponsored: bool | None,
    now: int,
) -> RowMapping:
    """Replaces the post's body and/or disclosure labels (None: unchanged); returns the post."""
    row = post_service.get(conn, who.chain_id, post_id)
    _own(row, who, "post")
    post_service.interactable(row)
    values: dict[str, object] = {}
    if body is not None and body != row["body"]:
        values["body"] = body
    if holds_position is not None or sponsored is not None:
        if not row["instruments"]:
            raise Unprocessable(
                "this post names no instrument: it carries no disclosure labels",
                code=ErrorCode.DISCLOSURE_REQUIRED,
            )
        if holds_position is not None and holds_position != row["holds_position"]:
            values["holds_position"] = holds_position
        if sponsored is not None and sponsored != row["sponsored"]:
            values["sponsored"] = sponsored
    if not values:
        return row
    _keep_version(conn, who.chain_id, "post", row, now, labels=True)
    conn.execute(update(posts).where(posts.c.id == post_id).values(**values, edited_at=now))
    post_service.content_changed(conn, ContentChange(who.chain_id, "post", post_id, "edited"))
    return post_service.get(conn, who.chain_id, post_id)


def delete_post(conn: Connection, who: Identity, post_id: int, now: int) -> RowMapping:
    """Erases the post's text and history (410 if already deleted); returns the post."""
    row = post_service.get(conn, who.chain_id, post_id)
    _own(row, who, "post")
    if row["deleted_at"] is not None:
        raise ContentDeleted(f"post {post_id} was already deleted")
    _erase_history(conn, who.chain_id, "post", post_id)
    conn.execute(update(posts).where(posts.c.id == post_id).values(body="", deleted_at=now))
    post_service.content_changed(conn, ContentChange(who.chain_id, "post", post_id, "deleted"))
    return post_service.get(conn, who.chain_id, post_id)


def edit_comment(
    conn: Connection, who: Identity, comment_id: int, body: str, now: int
) -> RowMapping:
    row = post_service.get_comment(conn, who.chain_id, comment_id)
    _own(row, who, "comment")
    post_service.interactable(row, "comment")
    if body == row["body"]:
        return row
    _keep_version(conn, who.chain_id, "comment", row, now, labels=False)
    conn.execute(
        update(comments).where(comments.c.id == comment_id).values(body=body, edited_at=now)
    )
    post_service.content_changed(conn, ContentChange(who.chain_id, "comment", comment_id, "edited"))
    return post_service.get_comment(conn, who.chain_id, comment_id)


def delete_comment(conn: Connection, who: Identity, comment_id: int, now: int) -> RowMapping:
    """Erases the comment's text and history; the post's comment count drops by one."""
    row = post_service.get_comment(conn, who.chain_id, comment_id)
    _own(row, who, "comment")
    if row["deleted_at"] is not None:
        raise ContentDeleted(f"comment {comment_id} was already deleted")
    _erase_history(conn, who.chain_id, "comment", comment_id)
    conn.execute(
        update(comments).where(comments.c.id == comment_id).values(body="", deleted_at=now)
    )
    conn.execute(
        update(posts)
        .where(posts.c.id == row["post_id"])
        .values(comment_count=posts.c.comment_count - 1)
    )
    post_service.content_changed(
        conn, ContentChange(who.chain_id, "comment", comment_id, "deleted")
    )
    return post_service.get_comment(conn, who.chain_id, comment_id)


def _erase_history(conn: Connection, chain_id: int, kind: str, target_id: int) -> None:
    conn.execute(
        delete(edits).where(
            edits.c.chain_id == chain_id, edits.c.kind == kind, edits.c.target_id == target_id
        )
    )


def history(conn: Connection, chain_id: int, kind: str, row: RowMapping) -> list[Version]:
    """Every version of ``row`` (a post or comment as read here), the current first. Empty
    once deleted; the caller withholds the text of hidden content."""
    if row["deleted_at"] is not None:
        return []
    labels = kind == "post"
    current = Version(
        body=row["body"],
        holds_position=row["holds_position"] if labels else None,
        sponsored=row["sponsored"] if labels else None,
        written_at=row["edited_at"] or row["created_at"],
        replaced_at=None,
    )
    earlier = conn.execute(
        select(edits)
        .where(edits.c.chain_id == chain_id, edits.c.kind == kind, edits.c.target_id == row["id"])
        .order_by(edits.c.id.desc())
    ).mappings()
    return [
        current,
        *(
            Version(
                e["body"], e["holds_position"], e["sponsored"], e["written_at"], e["replaced_at"]
            )
            for e in earlier
        ),
    ]
