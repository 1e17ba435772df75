/**
 * The spawn helper's program (Python 3, standard library only), run as `python3 -c SCRIPT`.
 *
 * Protocol: one JSON object per line each way.
 *   agent → helper  {"t":"spawn","id":n,"file":f,"args":[…],"env":{…},"cwd":d}
 *                   {"t":"opened","id":n}  (the agent holds its own copies of the pipes now)
 *   helper → agent  {"t":"ready","probe":fd}  (fd: a pipe the agent must be able to open)
 *                   {"t":"spawned","id":n,"pid":p,"out":fd,"err":fd}
 *                   {"t":"failed","id":n,"code":"ENOENT","message":…}
 *                   {"t":"exit","id":n,"code":c} or {"t":"exit","id":n,"signal":"SIGKILL"}
 *
 * Output pipes are not relayed: the agent opens the read ends through /proc/<helper>/fd/<fd>,
 * which gives it the very pipe, and the helper closes its copies once told "opened".
 *
 * Each job is started by posix_spawn (glibc: clone with CLONE_VFORK), in a session of its own
 * (setsid, as Node's `detached: true`), stdin /dev/null, every signal back to its default and
 * none blocked (Python ignores SIGPIPE and SIGXFSZ, and this helper ignores the terminal's
 * signals, which an exec would otherwise pass on). The command is looked up in the job's own
 * PATH, as Node does when it is given an env.
 *
 * When its stdin closes (the agent is gone, whatever way it ended) it SIGKILLs the group of
 * every job whose leader still runs and exits: nothing it started outlives the agent, even a
 * job spawned an instant before the agent died, which the guardian did not know yet.
 */
export const SPAWN_HELPER_SCRIPT = String.raw`
import errno, json, os, signal, sys

for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(s, signal.SIG_IGN)
DEFAULTS = [s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP)]
wake_r, wake_w = os.pipe()
os.set_blocking(wake_r, False)
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda *_: None)

jobs = {}
held = {}

def send(obj):
    data = (json.dumps(obj, separators=(",", ":")) + "\n").encode()
    while data:
        try:
            data = data[os.write(1, data):]
        except InterruptedError:
            pass

def resolve(file, env):
    if "/" in file:
        return file
    for d in env.get("PATH", "").split(":"):
        p = os.path.join(d or ".", file)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    raise OSError(errno.ENOENT, "not found")

def spawn(req):
    jid = req["id"]
    fds = []
    try:
        out_r, out_w = os.pipe()
        fds += [out_r, out_w]
        err_r, err_w = os.pipe()
        fds += [err_r, err_w]
        path = resolve(req["file"], req["env"])
        os.chdir(req["cwd"])
        try:
            pid = os.posix_spawn(path, [req["file"]] + req["args"], req["env"],
                file_actions=[(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
                              (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)],
                setsid=True, setsigdef=DEFAULTS, setsigmask=[])
        finally:
            os.chdir("/")
    except OSError as e:
        for fd in fds:
            os.close(fd)
        code = errno.errorcode.get(e.errno, "EIO") if e.errno else "EIO"
        send({"t": "failed", "id": jid, "code": code, "message": e.strerror or str(e)})
        return
    os.close(out_w)
    os.close(err_w)
    jobs[pid] = jid
    held[jid] = (out_r, err_r)
    send({"t": "spawned", "id": jid, "pid": pid, "out": out_r, "err": err_r})

def reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        jid = jobs.pop(pid, None)
        if jid is None:
            continue
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            try:
                name = signal.Signals(sig).name
            except ValueError:
                name = "SIG%d" % sig
            send({"t": "exit", "id": jid, "signal": name})
        else:
            send({"t": "exit", "id": jid, "code": os.WEXITSTATUS(status)})

def handle(line):
    req = json.loads(line)
    if req["t"] == "spawn":
        spawn(req)
    elif req["t"] == "opened":
        for fd in held.pop(req["id"], ()):
            os.close(fd)

probe_r, probe_w = os.pipe()
held["probe"] = (probe_r, probe_w)
send({"t": "ready", "probe": probe_r})
import select
buf = b""
while True:
    try:
        ready, _, _ = select.select([0, wake_r], [], [])
    except InterruptedError:
        continue
    if wake_r in ready:
        try:
            while os.read(wake_r, 512):
                pass
        except BlockingIOError:
            pass
        reap()
    if 0 in ready:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            if line:
                handle(line)
        reap()

for pid in list(jobs):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
`;
