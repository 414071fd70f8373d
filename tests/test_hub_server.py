"""The local Hub stand-in, driven by the real clients: huggingface_hub, transformers, peft, datasets.

huggingface_hub reads HF_ENDPOINT when it is imported, so every client runs in a subprocess
with HF_ENDPOINT pointing at the server and its own HF_HOME; the server runs in this process
and the tests also look at its storage folder directly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from standins.hub_server import HubServer
from standins.hub_storage import (
    BadRequest,
    EntryNotFound,
    HubStorage,
    PreconditionFailed,
    RevisionNotFound,
    folder_files,
    git_blob_oid,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
COURSE_REVISION = "e8d637df551603dc86cd7a1598a8f44af4d7ae36"  # the course adapter's revision
ALICE, ALICE_READ, BOB, CAROL = "hf_alice_write", "hf_alice_read", "hf_bob_write", "hf_carol_write"
_CLEARED = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_TOKEN_PATH",
    "HF_HUB_OFFLINE",
    "HF_HUB_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "HF_DATASETS_CACHE",
    "HF_XET_CACHE",
    "HF_HUB_DISABLE_XET",
    "TRANSFORMERS_CACHE",
    "HF_DATASETS_OFFLINE",
    "TRANSFORMERS_OFFLINE",
)
PRELUDE = """
import json
out = {}

def outcome(call, *args, **kwargs):
    '''"ok", or [exception class name, HTTP status] for a failed call.'''
    try:
        call(*args, **kwargs)
        return "ok"
    except Exception as error:
        response = getattr(error, "response", None)
        return [type(error).__name__, getattr(response, "status_code", None)]
"""


def _seed_users(storage: HubStorage) -> None:
    storage.add_user("alice", ALICE, "write")
    storage.add_user("alice", ALICE_READ, "read")
    storage.add_user("bob", BOB, "write")
    storage.add_user("carol", CAROL, "write")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A server answering "regular" for every upload, the way the course's smoke runs use it."""
    root = tmp_path_factory.mktemp("hub")
    _seed_users(HubStorage(root))
    with HubServer(root) as server:
        yield server


def client(url: str, code: str, home: Path, token: str | None = None, **env: str) -> dict:
    """Run ``code`` in a fresh interpreter pointed at the Hub at ``url``; return its ``out`` dict."""
    environment = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    environment.update(
        HF_ENDPOINT=url,
        HF_HOME=str(home),
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        TOKENIZERS_PARALLELISM="false",
        PYTHONPATH=os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
        **env,
    )
    if token:
        environment["HF_TOKEN"] = token
    script = PRELUDE + textwrap.dedent(code) + "\nprint(json.dumps(out, default=str))\n"
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _http(url: str, method: str = "GET", headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One request without following redirects: (status, lower-case headers, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


# ---- the storage on its own ----------------------------------------------------------------


def test_storage_commits_snapshots_and_refs(tmp_path):
    storage = HubStorage(tmp_path)
    storage.create_repo("ed-donner/adapter")
    first = storage.commit(
        "ed-donner/adapter", {"a.txt": b"hello", "sub/b.txt": b"world"}, message="add two files"
    )
    seeded = storage.commit(
        "ed-donner/adapter", {"a.txt": b"hello again"}, message="update a", oid=COURSE_REVISION
    )
    assert seeded == COURSE_REVISION
    assert storage.read("ed-donner/adapter", "a.txt", revision=first) == b"hello"
    assert storage.read("ed-donner/adapter", "a.txt") == b"hello again"
    assert storage.read("ed-donner/adapter", "sub/b.txt", revision=COURSE_REVISION) == b"world"
    assert storage.list_files("ed-donner/adapter") == [".gitattributes", "a.txt", "sub/b.txt"]
    assert [c.title for c in storage.history("ed-donner/adapter")] == [
        "update a",
        "add two files",
        "initial commit",
    ]
    # What git would compute: `printf hello | git hash-object --stdin`.
    assert git_blob_oid(b"hello") == "b6fc4c620b67d95f953a5c1c1230aaab5db5a1b0"
    repo_dir = tmp_path / "models" / "ed-donner" / "adapter"
    refs = json.loads((repo_dir / "refs.json").read_text())
    assert refs["branches"] == {"main": COURSE_REVISION}
    record = json.loads((repo_dir / "commits" / COURSE_REVISION / "commit.json").read_text())
    assert record["parents"] == [first]
    assert record["files"]["a.txt"] == {"size": 11, "oid": git_blob_oid(b"hello again")}
    # An unchanged file is shared with the parent commit, not copied.
    old, new = (repo_dir / "commits" / c / "files" / "sub" / "b.txt" for c in (first, seeded))
    assert old.stat().st_ino == new.stat().st_ino

    with pytest.raises(PreconditionFailed):  # the branch moved since `first`
        storage.commit("ed-donner/adapter", {"c.txt": b"x"}, parent_commit=first)
    with pytest.raises(EntryNotFound):  # one bad operation: nothing of the commit lands
        storage.commit("ed-donner/adapter", {"c.txt": b"x"}, delete=["missing.txt"])
    with pytest.raises(RevisionNotFound):
        storage.commit("ed-donner/adapter", {"c.txt": b"x"}, revision="no-such-branch")
    with pytest.raises(BadRequest):
        storage.commit("ed-donner/adapter", {"../escape": b"x"})
    with pytest.raises(BadRequest):
        storage.commit("ed-donner/adapter", {"c.txt": b"x"}, oid="not-a-sha")
    with pytest.raises(BadRequest):  # a str is ambiguous (text or a path?): refused
        storage.commit("ed-donner/adapter", {"c.txt": "/tmp/c.txt"})
    assert storage.list_files("ed-donner/adapter") == [".gitattributes", "a.txt", "sub/b.txt"]
    assert not [p for p in (repo_dir / "commits").iterdir() if p.name.startswith(".")]


def test_readers_never_see_half_a_commit(hub):
    storage = hub.storage
    storage.create_repo("alice/atomic")
    storage.commit("alice/atomic", {"one.txt": b"1", "two.txt": b"2"}, message="v1")
    tree_url = f"{hub.url}/api/models/alice/atomic/tree/main"
    before = sorted(e["path"] for e in json.loads(_http(tree_url)[2]))
    storage.commit_delay = 0.6  # the next commit holds the lock, half built, for 0.6 s
    try:
        writer = threading.Thread(
            target=storage.commit,
            args=("alice/atomic", {"one.txt": b"one", "three.txt": b"3"}),
            kwargs={"delete": ["two.txt"], "message": "v2"},
        )
        writer.start()
        seen = []
        while writer.is_alive():
            seen.append(sorted(e["path"] for e in json.loads(_http(tree_url)[2])))
            time.sleep(0.05)
        writer.join()
    finally:
        storage.commit_delay = 0.0
    after = sorted(e["path"] for e in json.loads(_http(tree_url)[2]))
    assert before == [".gitattributes", "one.txt", "two.txt"]
    assert after == [".gitattributes", "one.txt", "three.txt"]
    assert len(seen) >= 5 and all(s in (before, after) for s in seen)
    assert storage.read("alice/atomic", "one.txt") == b"one"


def test_download_headers_ranges_and_no_xet(hub):
    hub.storage.create_repo("alice/headers")
    oid = hub.storage.commit("alice/headers", {"data.bin": bytes(range(10))})
    status, headers, _ = _http(f"{hub.url}/alice/headers/resolve/main/data.bin", "HEAD")
    assert status == 307  # like the Hub: pinned to the commit
    assert headers["location"] == f"/api/resolve-cache/models/alice/headers/{oid}/data.bin"
    assert headers["x-repo-commit"] == oid
    pinned = hub.url + headers["location"]
    status, headers, _ = _http(pinned, "HEAD")
    assert status == 200
    assert headers["etag"] == f'"{git_blob_oid(bytes(range(10)))}"'
    assert headers["content-length"] == "10"
    assert headers["accept-ranges"] == "bytes"
    assert headers["x-repo-commit"] == oid
    assert not [h for h in headers if h.startswith("x-xet")]
    status, headers, body = _http(pinned, headers={"Range": "bytes=3-5"})
    assert (status, body, headers["content-range"]) == (206, bytes([3, 4, 5]), "bytes 3-5/10")
    status, _, body = _http(pinned, headers={"Range": "bytes=-2"})
    assert (status, body) == (206, bytes([8, 9]))
    status, headers, _ = _http(pinned, headers={"Range": "bytes=10-"})
    assert (status, headers["content-range"]) == (416, "bytes */10")
    status, headers, _ = _http(f"{hub.url}/alice/headers/resolve/main/missing.bin", "HEAD")
    assert (status, headers["x-error-code"], headers["x-repo-commit"]) == (
        404,
        "EntryNotFound",
        oid,
    )


# ---- the real clients --------------------------------------------------------------------


def test_whoami_tokens(hub, tmp_path):
    out = client(
        hub.url,
        f"""
        from huggingface_hub import HfApi, get_token
        from huggingface_hub.errors import RepositoryNotFoundError
        api = HfApi()
        me = api.whoami()
        out["token"] = get_token()
        out["write"] = [me["name"], me["type"], me["orgs"], me["auth"]["accessToken"]["role"]]
        out["read"] = api.whoami(token="{ALICE_READ}")["auth"]["accessToken"]["role"]
        out["invalid"] = outcome(api.whoami, token="hf_not_a_token")
        try:
            api.model_info("alice/anything", token="hf_not_a_token")
        except Exception as error:
            out["invalid_is_not_found"] = isinstance(error, RepositoryNotFoundError)
            out["invalid_status"] = error.response.status_code
        """,
        tmp_path,
        token=ALICE,
    )
    assert out["token"] == ALICE
    assert out["write"] == ["alice", "user", [], "write"]
    assert out["read"] == "read"
    assert out["invalid"] == ["HfHubHTTPError", 401]
    assert (out["invalid_is_not_found"], out["invalid_status"]) == (False, 401)


def test_upload_download_round_trips(hub, tmp_path):
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    for name, text in {"a.txt": "A", "b.json": '{"b": 2}', "sub/c.md": "# C"}.items():
        (folder / name).write_text(text)
    out = client(
        hub.url,
        f"""
        import os
        from huggingface_hub import HfApi, hf_hub_download, snapshot_download
        api = HfApi()
        out["url"] = api.create_repo("alice/model-a")
        out["again"] = api.create_repo("alice/model-a", exist_ok=True)
        out["twice"] = outcome(api.create_repo, "alice/model-a")
        out["bare"] = api.create_repo("dataset-a", repo_type="dataset").repo_id  # own namespace
        first = api.upload_file(path_or_fileobj=b"v1", path_in_repo="notes.txt", repo_id="alice/model-a")
        api.upload_file(path_or_fileobj=b"v2", path_in_repo="notes.txt", repo_id="alice/model-a")
        out["latest"] = open(hf_hub_download("alice/model-a", "notes.txt")).read()
        out["by_sha"] = open(hf_hub_download("alice/model-a", "notes.txt", revision=first.oid)).read()
        api.upload_file(path_or_fileobj=b"x,y\\n1,2\\n", path_in_repo="data/train.csv",
                        repo_id="alice/dataset-a", repo_type="dataset")
        out["dataset"] = open(hf_hub_download("alice/dataset-a", "data/train.csv", repo_type="dataset")).read()
        before = len(api.list_repo_commits("alice/model-a"))
        folder = api.upload_folder(repo_id="alice/model-a", folder_path={str(folder)!r},
                                   path_in_repo="docs", commit_message="three files")
        commits = api.list_repo_commits("alice/model-a")
        out["folder_commits"] = [len(commits) - before, commits[0].title, commits[0].commit_id == folder.oid]
        out["files"] = api.list_repo_files("alice/model-a")
        snap = snapshot_download("alice/model-a", allow_patterns=["docs/*.json", "docs/sub/*"])
        out["snapshot"] = sorted(
            os.path.relpath(os.path.join(d, f), snap) for d, _, fs in os.walk(snap) for f in fs
        )
        local = snapshot_download("alice/model-a", allow_patterns=["docs/sub/*"], local_dir="{tmp_path / "local"}")
        out["local_dir"] = open(os.path.join(local, "docs", "sub", "c.md")).read()
        info = api.model_info("alice/model-a", files_metadata=True)
        out["info"] = [info.sha == folder.oid, info.private, info.gated, len(info.siblings)]
        out["sizes"] = {{s.rfilename: s.size for s in info.siblings}}
        out["dataset_info"] = api.dataset_info("alice/dataset-a").id
        out["refs"] = [(b.name, b.target_commit == folder.oid) for b in api.list_repo_refs("alice/model-a").branches]
        out["tree"] = sorted((e.path, type(e).__name__) for e in api.list_repo_tree("alice/model-a", "docs"))
        out["paths"] = sorted(p.path for p in api.get_paths_info("alice/model-a", ["notes.txt", "docs", "nope"]))
        out["exists"] = [api.file_exists("alice/model-a", "docs/a.txt"), api.file_exists("alice/model-a", "zz")]
        out["repo_exists"] = [api.repo_exists("alice/model-a"), api.repo_exists("alice/nope")]
        api.create_branch("alice/model-a", branch="experiment", revision=first.oid)
        out["branch"] = open(hf_hub_download("alice/model-a", "notes.txt", revision="experiment")).read()
        api.delete_file("notes.txt", "alice/model-a")
        out["deleted"] = api.file_exists("alice/model-a", "notes.txt")
        """,
        tmp_path / "home",
        token=ALICE,
    )
    assert out["url"] == f"{hub.url}/alice/model-a"
    assert out["again"] == out["url"]
    assert out["twice"] == ["HfHubHTTPError", 409]
    assert out["bare"] == "alice/dataset-a"
    assert (out["latest"], out["by_sha"], out["dataset"]) == ("v2", "v1", "x,y\n1,2\n")
    assert out["folder_commits"] == [1, "three files", True]
    assert out["files"] == [
        ".gitattributes",
        "docs/a.txt",
        "docs/b.json",
        "docs/sub/c.md",
        "notes.txt",
    ]
    assert out["snapshot"] == ["docs/b.json", "docs/sub/c.md"]
    assert out["local_dir"] == "# C"
    assert out["info"] == [True, False, False, 5]
    assert out["sizes"]["docs/b.json"] == len('{"b": 2}')
    assert out["dataset_info"] == "alice/dataset-a"
    assert out["refs"] == [["main", True]]
    assert out["tree"] == [
        ["docs/a.txt", "RepoFile"],
        ["docs/b.json", "RepoFile"],
        ["docs/sub", "RepoFolder"],
    ]
    assert out["paths"] == ["docs", "notes.txt"]
    assert out["exists"] == [True, False]
    assert out["repo_exists"] == [True, False]
    assert out["branch"] == "v1"
    assert out["deleted"] is False
    storage = hub.storage
    assert storage.read("alice/model-a", "docs/sub/c.md") == b"# C"
    assert storage.repo("alice/model-a").owner == "alice"


def test_access_rules_map_to_client_errors(hub, tmp_path):
    storage = hub.storage
    storage.create_repo("alice/secret", private=True)
    storage.commit("alice/secret", {"s.txt": b"s"})
    storage.create_repo("meta-llama/Llama-3.1-8B", gated=True)
    storage.commit("meta-llama/Llama-3.1-8B", {"config.json": b"{}"})
    storage.grant("meta-llama/Llama-3.1-8B", "carol")
    storage.create_repo("alice/public")
    out = client(
        hub.url,
        f"""
        from huggingface_hub import HfApi, hf_hub_download, snapshot_download
        api = HfApi()
        llama = "meta-llama/Llama-3.1-8B"
        # Refusals first: a file in the local cache would be returned whatever the Hub says.
        out["bad_token"] = outcome(hf_hub_download, llama, "config.json", token="hf_wrong")
        out["private_other"] = outcome(hf_hub_download, "alice/secret", "s.txt", token="{BOB}")
        out["private_anonymous"] = outcome(api.model_info, "alice/secret", token=False)
        out["private_owner"] = outcome(hf_hub_download, "alice/secret", "s.txt", token="{ALICE}")
        out["gated_anonymous"] = outcome(hf_hub_download, llama, "config.json", token=False)
        out["gated_not_granted"] = outcome(hf_hub_download, llama, "config.json", token="{BOB}")
        out["gated_snapshot"] = outcome(snapshot_download, llama, token=False)
        out["gated_file_exists"] = outcome(api.file_exists, llama, "config.json", token="{BOB}")
        out["gated_granted"] = outcome(hf_hub_download, llama, "config.json", token="{CAROL}")
        out["gated_info"] = api.model_info(llama, token=False).gated
        out["missing_repo"] = outcome(hf_hub_download, "alice/nothing", "x", token="{ALICE}")
        out["missing_file"] = outcome(hf_hub_download, "alice/public", "x", token="{ALICE}")
        out["missing_revision"] = outcome(
            hf_hub_download, "alice/public", ".gitattributes", revision="v9", token="{ALICE}"
        )
        out["missing_revision_info"] = outcome(api.model_info, "alice/public", revision="v9")
        out["read_token_upload"] = outcome(
            api.upload_file, path_or_fileobj=b"x", path_in_repo="x", repo_id="alice/public",
            token="{ALICE_READ}",
        )
        out["read_token_create"] = outcome(api.create_repo, "alice/new", token="{ALICE_READ}")
        out["other_user_upload"] = outcome(
            api.upload_file, path_or_fileobj=b"x", path_in_repo="x", repo_id="alice/public", token="{BOB}"
        )
        out["other_namespace"] = outcome(api.create_repo, "alice/bobs", token="{BOB}")
        out["anonymous_upload"] = outcome(
            api.upload_file, path_or_fileobj=b"x", path_in_repo="x", repo_id="alice/public", token=False
        )
        out["auth_check"] = [outcome(api.auth_check, llama, token=t) for t in ("{CAROL}", "{BOB}")]
        """,
        tmp_path,
    )
    assert out["private_owner"] == "ok"
    assert out["private_other"] == ["RepositoryNotFoundError", 404]
    assert out["private_anonymous"] == ["RepositoryNotFoundError", 401]
    assert out["gated_anonymous"] == ["GatedRepoError", 401]
    assert out["gated_not_granted"] == ["GatedRepoError", 403]
    assert out["gated_granted"] == "ok"
    assert out["gated_snapshot"] == ["GatedRepoError", 401]
    assert out["gated_file_exists"] == ["GatedRepoError", 403]
    assert out["gated_info"] == "manual"  # the repo page is public, its files are not
    assert out["bad_token"] == ["HfHubHTTPError", 401]
    assert out["missing_repo"] == ["RepositoryNotFoundError", 404]
    assert out["missing_file"] == ["RemoteEntryNotFoundError", 404]
    assert out["missing_revision"] == ["RevisionNotFoundError", 404]
    assert out["missing_revision_info"] == ["RevisionNotFoundError", 404]
    assert out["read_token_upload"] == ["HfHubHTTPError", 403]
    assert out["read_token_create"] == ["HfHubHTTPError", 403]
    assert out["other_user_upload"] == ["HfHubHTTPError", 403]
    assert out["other_namespace"] == ["HfHubHTTPError", 403]
    assert out["anonymous_upload"] == ["HfHubHTTPError", 401]
    assert out["auth_check"] == ["ok", ["GatedRepoError", 403]]
    assert storage.list_files("alice/public") == [".gitattributes"]  # nothing was written


def test_commits_are_atomic_and_honour_the_parent(hub, tmp_path):
    hub.storage.create_repo("alice/strict")
    out = client(
        hub.url,
        """
        from huggingface_hub import HfApi, CommitOperationAdd, CommitOperationDelete
        api = HfApi()
        base = api.upload_file(path_or_fileobj=b"1", path_in_repo="keep.txt", repo_id="alice/strict")
        out["half"] = outcome(
            api.create_commit, "alice/strict", commit_message="add and delete a missing file",
            operations=[CommitOperationAdd("new.txt", b"n"), CommitOperationDelete("missing.txt")],
        )
        api.upload_file(path_or_fileobj=b"2", path_in_repo="keep.txt", repo_id="alice/strict")
        out["stale_parent"] = outcome(
            api.create_commit, "alice/strict", commit_message="late",
            operations=[CommitOperationAdd("late.txt", b"l")], parent_commit=base.oid,
        )
        head = api.model_info("alice/strict").sha
        out["fresh_parent"] = outcome(
            api.create_commit, "alice/strict", commit_message="on time",
            operations=[CommitOperationAdd("on-time.txt", b"t")], parent_commit=head[:7],
        )
        out["files"] = api.list_repo_files("alice/strict")
        """,
        tmp_path,
        token=ALICE,
    )
    assert out["half"] == ["RemoteEntryNotFoundError", 404]
    assert out["stale_parent"] == ["HfHubHTTPError", 412]
    assert out["fresh_parent"] == "ok"
    assert out["files"] == [".gitattributes", "keep.txt", "on-time.txt"]


def test_two_processes_committing_at_once_both_land(hub, tmp_path):
    hub.storage.create_repo("alice/busy")
    code = """
    import sys
    from huggingface_hub import HfApi
    api = HfApi()
    name = sys.argv[1]
    print("ready", flush=True)
    sys.stdin.readline()  # go: both processes start committing at the same moment
    for i in range(3):
        api.upload_file(path_or_fileobj=f"{name}{i}".encode(), path_in_repo=f"{name}/{i}.txt",
                        repo_id="alice/busy", commit_message=f"{name} {i}")
    """
    environment = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    environment.update(HF_ENDPOINT=hub.url, HF_HOME=str(tmp_path), HF_TOKEN=ALICE)
    environment.update(HF_HUB_DISABLE_TELEMETRY="1", HF_HUB_DISABLE_PROGRESS_BARS="1")
    hub.storage.commit_delay = 0.2  # each commit holds the lock a while: the two must queue
    try:
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", textwrap.dedent(code), name],
                env=environment,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in ("left", "right")
        ]
        assert [w.stdout.readline().strip() for w in writers] == ["ready", "ready"]
        for writer in writers:
            writer.stdin.write("go\n")
            writer.stdin.flush()
        errors = [w.communicate(timeout=120)[1] for w in writers]
    finally:
        hub.storage.commit_delay = 0.0
    assert [w.returncode for w in writers] == [0, 0], errors
    files = hub.storage.list_files("alice/busy")
    assert files == [".gitattributes"] + [
        f"{n}/{i}.txt" for n in ("left", "right") for i in range(3)
    ]
    titles = [c.title for c in hub.storage.history("alice/busy")]
    assert sorted(titles) == sorted(
        ["initial commit"] + [f"{n} {i}" for n in ("left", "right") for i in range(3)]
    )


def test_seeded_revision_downloads_at_that_commit(hub, tmp_path):
    storage = hub.storage
    storage.create_repo("ed-donner/pricer-2024-09-13_13.04.39")
    storage.commit(
        "ed-donner/pricer-2024-09-13_13.04.39",
        {"adapter_config.json": b'{"r": 32}'},
        message="course adapter",
        oid=COURSE_REVISION,
    )
    storage.commit(
        "ed-donner/pricer-2024-09-13_13.04.39",
        {"adapter_config.json": b'{"r": 8}'},
        message="later",
    )
    out = client(
        hub.url,
        f"""
        from huggingface_hub import HfApi, hf_hub_download
        repo = "ed-donner/pricer-2024-09-13_13.04.39"
        out["pinned"] = open(hf_hub_download(repo, "adapter_config.json", revision="{COURSE_REVISION}")).read()
        out["main"] = open(hf_hub_download(repo, "adapter_config.json")).read()
        out["sha"] = HfApi().model_info(repo, revision="{COURSE_REVISION}").sha
        """,
        tmp_path,
    )
    assert out == {"pinned": '{"r": 32}', "main": '{"r": 8}', "sha": COURSE_REVISION}


def test_transformers_peft_and_trainer_through_the_hub(hub, tmp_path):
    from standins.llama3 import tokenizer_files

    storage = hub.storage
    storage.create_repo("meta-llama/Llama-3.2-1B-tiny", gated=True)
    storage.grant("meta-llama/Llama-3.2-1B-tiny", "carol")
    storage.commit("meta-llama/Llama-3.2-1B-tiny", folder_files(tokenizer_files()), message="tok")
    out = client(
        hub.url,
        f"""
        import json, tempfile
        import torch
        from huggingface_hub import HfApi
        from peft import LoraConfig, PeftModel, get_peft_model
        from transformers import (AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM,
                                  Trainer, TrainingArguments)
        from standins.hub_storage import HubStorage, folder_files
        api = HfApi()
        torch.manual_seed(0)
        config = LlamaConfig(vocab_size=128256, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                             num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
                             tie_word_embeddings=True)
        model = LlamaForCausalLM(config)
        # Seeding from another process, straight into the storage: the gated stand-in model.
        local = tempfile.mkdtemp()
        model.save_pretrained(local)
        HubStorage({str(storage.root)!r}).commit(
            "meta-llama/Llama-3.2-1B-tiny", folder_files(local), message="tiny weights")
        llama = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.2-1B-tiny", token="{CAROL}")
        same = lambda a, b: all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
        out["gated_model"] = same(model, llama)
        tokenizer = AutoTokenizer.from_pretrained("meta-llama/Llama-3.2-1B-tiny", token="{CAROL}")
        out["tokens"] = [len(tokenizer.encode(str(n), add_special_tokens=False)) for n in (7, 123, 999)]
        try:
            AutoTokenizer.from_pretrained(  # its own cache: carol's copy would be used otherwise
                "meta-llama/Llama-3.2-1B-tiny", token="{BOB}", cache_dir=tempfile.mkdtemp())
        except OSError as error:
            out["not_granted"] = type(error.__cause__).__name__
        # The learner's own model: push_to_hub, then from_pretrained at a revision.
        commit = model.push_to_hub("alice/tiny", commit_message="tiny model")
        again = AutoModelForCausalLM.from_pretrained("alice/tiny", revision=commit.oid)
        out["own_model"] = same(model, again)
        # A LoRA run pushing every checkpoint, as notebook 08 does.
        peft_model = get_peft_model(model, LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))

        class Rows(torch.utils.data.Dataset):
            def __len__(self):
                return 16
            def __getitem__(self, i):
                ids = torch.tensor([i, i + 1, i + 2, i + 3])
                return {{"input_ids": ids, "labels": ids}}

        args = TrainingArguments(output_dir=tempfile.mkdtemp(), max_steps=4, per_device_train_batch_size=4,
                                 save_strategy="steps", save_steps=2, push_to_hub=True,
                                 hub_model_id="alice/adapter", hub_strategy="checkpoint", report_to="none",
                                 use_cpu=True, disable_tqdm=True,
                                 hub_always_push=True)  # else a slow step-2 push skips step 4's
        trainer = Trainer(model=peft_model, args=args, train_dataset=Rows())
        trainer.train()
        trainer.push_to_hub()
        files = api.list_repo_files("alice/adapter")
        out["adapter_files"] = [f for f in files if f.endswith(("safetensors", "trainer_state.json"))]
        state = json.load(open(api.hf_hub_download("alice/adapter", "last-checkpoint/trainer_state.json")))
        out["global_step"] = state["global_step"]
        commits = api.list_repo_commits("alice/adapter")
        out["titles"] = [c.title for c in commits]
        step_2 = next(c.commit_id for c in commits if c.title == "Training in progress, step 2, checkpoint")
        base = AutoModelForCausalLM.from_pretrained("alice/tiny")
        loaded = PeftModel.from_pretrained(base, "alice/adapter", revision=step_2)
        out["peft"] = type(loaded).__name__
        """,
        tmp_path,
        token=ALICE,
    )
    assert out["gated_model"] is True
    assert out["tokens"] == [1, 1, 1]  # the real Llama 3 tokenizer, served by the stand-in
    assert out["not_granted"] == "GatedRepoError"
    assert out["own_model"] is True
    assert out["adapter_files"] == [
        "adapter_model.safetensors",
        "last-checkpoint/adapter_model.safetensors",
        "last-checkpoint/trainer_state.json",
    ]
    assert out["global_step"] == 4
    assert out["titles"][-1] == "initial commit"
    assert "Training in progress, step 2, checkpoint" in out["titles"]
    assert "Training in progress, step 4, checkpoint" in out["titles"]
    assert out["peft"] == "PeftModel"


def test_datasets_push_and_load_through_lfs(tmp_path):
    root = tmp_path / "hub"
    storage = HubStorage(root)
    _seed_users(storage)
    storage.create_repo("McAuley-Lab/Amazon-Reviews-2023", repo_type="dataset")
    storage.commit(
        "McAuley-Lab/Amazon-Reviews-2023",
        {
            "raw/meta_categories/meta_Toys.jsonl": b'{"title": "ball", "price": 2.5}\n{"title": "kite"}\n'
        },
        repo_type="dataset",
    )
    with HubServer(root, lfs=True) as lfs_hub:
        out = client(
            lfs_hub.url,
            """
            from datasets import Dataset, DatasetDict, load_dataset
            from huggingface_hub import HfApi
            api = HfApi()
            splits = DatasetDict({
                "train": Dataset.from_dict({"text": ["a", "b", "c"], "price": [1.0, 2.5, 3.0]}),
                "test": Dataset.from_dict({"text": ["d"], "price": [4.0]}),
            })
            splits.push_to_hub("alice/pricer-data", private=True)
            loaded = load_dataset("alice/pricer-data")
            out["rows"] = {name: loaded[name].to_dict() for name in ("train", "test")}
            parquet = [f for f in api.list_repo_tree("alice/pricer-data", "data", repo_type="dataset")]
            out["lfs"] = sorted((f.path, f.lfs is not None) for f in parquet)
            raw = load_dataset(
                "json",
                data_files="hf://datasets/McAuley-Lab/Amazon-Reviews-2023/raw/meta_categories/meta_Toys.jsonl",
                split="train",
            )
            out["raw"] = raw.to_dict()
            """,
            tmp_path / "home",
            token=ALICE,
            HF_HUB_DISABLE_XET="1",
        )
    assert out["rows"]["train"] == {"text": ["a", "b", "c"], "price": [1.0, 2.5, 3.0]}
    assert out["rows"]["test"] == {"text": ["d"], "price": [4.0]}
    assert out["lfs"] == [
        ["data/test-00000-of-00001.parquet", True],
        ["data/train-00000-of-00001.parquet", True],
    ]
    assert out["raw"] == {"title": ["ball", "kite"], "price": [2.5, None]}
    assert storage.repo("alice/pricer-data", repo_type="dataset").private is True


def test_command_line_serves_and_exits_with_its_parent(tmp_path):
    root = tmp_path / "hub"
    HubStorage(root).add_user("alice", ALICE)
    parent_code = """
    import subprocess, sys
    child = subprocess.Popen([sys.executable, "-m", "standins.hub_server", "--root", sys.argv[1],
                              "--port", "0", "--exit-with-parent"], stdout=subprocess.PIPE, text=True)
    print(child.stdout.readline().strip(), child.pid, flush=True)
    sys.stdin.readline()  # lives until the test closes its stdin
    """
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(parent_code), str(root)],
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    url, pid = parent.stdout.readline().split()
    try:
        assert url.startswith("http://127.0.0.1:")
        status, headers, body = _http(
            f"{url}/api/whoami-v2", headers={"Authorization": f"Bearer {ALICE}"}
        )
        assert (status, json.loads(body)["name"]) == (200, "alice")
        status, headers, _ = _http(f"{url}/api/whoami-v2", headers={"Authorization": "Bearer bad"})
        assert (status, headers["x-error-message"]) == (
            401,
            "Invalid credentials in Authorization header",
        )
        parent.stdin.close()
        parent.wait(timeout=30)
        deadline = time.time() + 10
        while time.time() < deadline:  # the parent is gone: the server follows within a second
            try:
                _http(f"{url}/api/whoami-v2")
            except OSError:  # connection refused: it has exited
                break
            time.sleep(0.1)
        else:
            pytest.fail("the server outlived its parent")
    finally:
        if parent.poll() is None:
            parent.kill()
        try:
            os.kill(int(pid), 9)
        except ProcessLookupError:
            pass
