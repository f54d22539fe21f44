"""What an apply's file operations cost on their own, without add-backend.

Replays, in a checkout DIR, the filesystem steps of `add-backend ftp`
(the journal, the three new directories, a staged file per changed file,
the swaps and renames that put them in place, the originals removed, the
journal removed) with the contents the real run writes, and reports the
median time over RUNS runs. A `sync` before each run leaves the disk as
the benchmark's reset does. What it measures is the floor no planning
can go under on that file system.

    python3 benches/fs_floor.py DIR RUNS   # DIR: a checkout after a run
"""

import ctypes
import os
import statistics
import subprocess
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_EXCHANGE = 2


def swap(a, b):
    if libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), RENAME_EXCHANGE) != 0:
        raise OSError(ctypes.get_errno(), f"renameat2 {a} {b}")


def main():
    root, runs = sys.argv[1], int(sys.argv[2])
    # What a run left: the files it created and the originals of those it
    # changed (from git), so that each replay starts from the same tree.
    created = subprocess.run(
        ["git", "-C", root, "ls-files", "--others", "--exclude-standard"], capture_output=True, text=True, check=True
    ).stdout.split()
    changed = subprocess.run(
        ["git", "-C", root, "diff", "--name-only"], capture_output=True, text=True, check=True
    ).stdout.split()
    after = {rel: open(os.path.join(root, rel), "rb").read() for rel in created + changed}
    subprocess.run(["git", "-C", root, "checkout", "-q", "--", "."], check=True)
    for rel in created:
        os.unlink(os.path.join(root, rel))
    # The directories the run made are those its files' removal empties.
    new_dirs = []
    parents = {os.path.dirname(rel) for rel in created}
    ancestors = {os.path.join(*p.split("/")[:n]) for p in parents if p for n in range(1, p.count("/") + 2)}
    for d in sorted(ancestors, key=lambda d: -d.count("/")):
        try:
            os.rmdir(os.path.join(root, d))
            new_dirs.append(d)
        except OSError:
            pass
    new_dirs.reverse()
    before = {rel: open(os.path.join(root, rel), "rb").read() for rel in changed}
    state = os.path.join(root, ".git", "add-backend")
    os.makedirs(state, exist_ok=True)
    journal = b"".join(before.values())

    def reset():
        for rel in created:
            try:
                os.unlink(os.path.join(root, rel))
            except FileNotFoundError:
                pass
        for d in reversed(new_dirs):
            try:
                os.rmdir(os.path.join(root, d))
            except OSError:
                pass
        for rel, text in before.items():
            with open(os.path.join(root, rel), "wb") as f:
                f.write(text)
        os.sync()

    def replay():
        with open(os.path.join(state, "journal"), "wb") as f:
            f.write(journal)
        for d in new_dirs:
            os.mkdir(os.path.join(root, d))
        staged = []
        for i, rel in enumerate(created + changed):
            tmp = os.path.join(root, os.path.dirname(rel), f".add-backend-floor{i}")
            with open(tmp, "wb") as f:
                f.write(after[rel])
            staged.append((tmp, os.path.join(root, rel)))
        for tmp, path in staged[: len(created)]:
            os.rename(tmp, path)
        for tmp, path in staged[len(created) :]:
            swap(tmp, path)
        for tmp, _ in staged[len(created) :]:
            os.unlink(tmp)
        os.unlink(os.path.join(state, "journal"))

    times = []
    for _ in range(runs):
        reset()
        start = time.perf_counter()
        replay()
        times.append(time.perf_counter() - start)
    # Leave the checkout as the run had.
    reset()
    replay()
    print(f"{statistics.median(times) * 1000:.2f}")


main()
