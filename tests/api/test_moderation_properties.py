"""Property: whatever an author and the risk role do to a post and its comment, in whatever
order (edits, deletions, hides, restores), every read answers the model: the current text while
shown; every earlier version in the history, newest first; no text at all while hidden; and once
deleted, no text of any version, neither through any route nor left in the database."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from api.services.moderation import LABELS, RISK_ROLE
from planet.store.mirror import points_roles
from planet.store.offchain import comments, edits, posts
from tests.support.api import CHAIN_ID
from tests.support.profiles import examples

# the hidden-content joins and the history's queries run on both dialects
pytestmark = pytest.mark.dialects

OPS = st.lists(
    st.one_of(
        st.just(("edit",)),
        st.just(("edit_comment",)),
        st.just(("delete",)),
        st.just(("delete_comment",)),
        st.tuples(st.just("hide"), st.sampled_from(LABELS)),
        st.just(("restore",)),
        st.tuples(st.just("hide_comment"), st.sampled_from(LABELS)),
        st.just(("restore_comment",)),
    ),
    max_size=12,
)
_texts = itertools.count()


def _fresh(prefix: str) -> str:
    """A text no other read can hold by chance, so a substring check means something."""
    return f"{prefix}-{next(_texts)}-zq"


class Content:
    """The model of one post or comment: its versions (oldest first), deletion and label."""

    def __init__(self, text: str) -> None:
        self.versions = [text]
        self.deleted = False
        self.label: str | None = None

    def secret(self) -> set[str]:
        """Texts no reader may see now."""
        if self.deleted or self.label:
            return set(self.versions)
        return set()


@settings(max_examples=examples(24), deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=OPS)
def test_every_read_answers_the_model_through_any_edits_deletes_hides_and_restores(
    client, member, engine, ops
):
    author, fan, risk = member(), member(), member()
    grant(engine, risk.address)
    post = Content(_fresh("post"))
    pid = client.post("/posts", json={"body": post.versions[0]}, headers=author.headers).json()[
        "id"
    ]
    comment = Content(_fresh("comment"))
    cid = client.post(
        f"/posts/{pid}/comments", json={"body": comment.versions[0]}, headers=fan.headers
    ).json()["id"]
    erased: set[str] = set()

    for op in ops:
        name = op[0]
        target, path, who = (
            (comment, f"/comments/{cid}", fan)
            if name.endswith("comment")
            else (post, f"/posts/{pid}", author)
        )
        kind, target_id = ("comment", cid) if target is comment else ("post", pid)
        if name.startswith("edit"):
            text = _fresh(kind)
            reply = client.patch(path, json={"body": text}, headers=who.headers)
            expected = 410 if target.deleted else 409 if target.label else 200
            assert reply.status_code == expected, (op, reply.text)
            if reply.status_code == 200:
                target.versions.append(text)
        elif name.startswith("delete"):
            reply = client.delete(path, headers=who.headers)
            assert reply.status_code == (410 if target.deleted else 200), (op, reply.text)
            if not target.deleted:
                erased |= set(target.versions)
                target.deleted = True
        elif name.startswith("hide"):
            body = {
                "action": "hide",
                "kind": kind,
                "target_id": target_id,
                "label": op[1],
                "reason": "property",
            }
            reply = client.post("/moderation/decisions", json=body, headers=risk.headers)
            assert reply.status_code == (409 if target.label else 201), (op, reply.text)
            target.label = target.label or op[1]
        else:
            body = {"action": "restore", "kind": kind, "target_id": target_id, "reason": "property"}
            reply = client.post("/moderation/decisions", json=body, headers=risk.headers)
            assert reply.status_code == (201 if target.label else 409), (op, reply.text)
            target.label = None
        check(client, engine, author, pid, cid, post, comment, erased)


def grant(engine, address: str) -> None:
    """RISK_ROLE for ``address``, as the indexer mirrors RoleGranted."""
    with engine.begin() as conn:
        conn.execute(
            insert(points_roles).values(
                chain_id=CHAIN_ID,
                role=RISK_ROLE,
                account=address.lower(),
                held=True,
                updated_block=1,
            )
        )


def check(client, engine, author, pid, cid, post, comment, erased) -> None:
    answers = []
    read = client.get(f"/posts/{pid}").json()
    answers.append(read)
    if post.deleted:
        assert read["deleted"] is True and read["body"] == ""
    elif post.label:
        assert read["body"] == "" and read["moderation_label"] == post.label
    else:
        assert read["body"] == post.versions[-1] and read["moderation_label"] is None
    for path, model in ((f"/posts/{pid}/history", post), (f"/comments/{cid}/history", comment)):
        history = client.get(path).json()
        answers.append(history)
        bodies = [v["body"] for v in history["versions"]]
        if model.deleted:
            assert bodies == []
        elif model.label:
            assert bodies == [""] * len(model.versions)
        else:
            assert bodies == model.versions[::-1]
    answers.append(client.get("/posts", params={"author": author.address}).json())
    answers.append(client.get(f"/posts/{pid}/comments").json())
    seen = repr(answers)
    for text in post.secret() | comment.secret():
        assert text not in seen, text
    if not comment.deleted and not comment.label and not post.deleted:
        assert comment.versions[-1] in seen
    with engine.connect() as conn:  # erased means erased: no copy in any table
        stored = repr(
            [
                *conn.execute(select(posts.c.body).where(posts.c.id == pid)),
                *conn.execute(select(comments.c.body).where(comments.c.id == cid)),
                *conn.execute(select(edits.c.body)),
            ]
        )
    for text in erased:
        assert text not in stored, text
