"""Execution environments locked down as Lambda's: user, file systems, capabilities, /tmp, processes."""

import concurrent.futures
import json

PROBE = """
import errno, os

def handler(event, context):
    status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
    writes = {}
    for path in ("/var/task/new", "/opt/new", "/new", "/etc/new", "/tmp/new"):
        try:
            with open(path, "w") as f:
                f.write("x")
            writes[path] = "ok"
        except OSError as e:
            writes[path] = errno.errorcode[e.errno]
    tmp = os.statvfs("/tmp")
    return {
        "uid": os.getuid(), "gid": os.getgid(), "euid": os.geteuid(),
        "cap_eff": status["CapEff"].strip(), "cap_prm": status["CapPrm"].strip(),
        "no_new_privs": status["NoNewPrivs"].strip(), "writes": writes,
        "tmp_mb": tmp.f_blocks * tmp.f_frsize // 2**20,
    }
"""

FILL_TMP = """
import errno, os

def handler(event, context):
    if event.get("check"):
        return {"kept": os.path.exists("/tmp/keep"), "fill_gone": not os.path.exists("/tmp/fill")}
    open("/tmp/keep", "w").write("kept across invocations")
    written = 0
    chunk = b"x" * (4 * 2**20)
    try:
        with open("/tmp/fill", "wb") as f:
            while True:
                f.write(chunk)
                written += len(chunk)
                f.flush()
    except OSError as e:
        error = errno.errorcode[e.errno]
    os.remove("/tmp/fill")
    return {"error": error, "written_mb": written // 2**20}
"""

FORK_BOMB = """
import errno, os, time

def handler(event, context):
    children = 0
    try:
        while True:
            pid = os.fork()
            if pid == 0:
                try:
                    os.execv("/bin/sleep", ["sleep", "5"])  # small: the limit, not memory, must stop it
                finally:
                    time.sleep(5)
                    os._exit(0)
            children += 1
    except OSError as e:
        return {"error": errno.errorcode[e.errno], "children": children}
"""


def payload(response) -> dict:
    return json.loads(response["Payload"].read())


def test_the_function_runs_as_lambdas_user_without_privileges_on_a_read_only_root(lambda_client, create_function):
    name = create_function({"app.py": PROBE})
    response = lambda_client.invoke(FunctionName=name)
    assert "FunctionError" not in response
    probe = payload(response)
    assert (probe["uid"], probe["gid"], probe["euid"]) == (993, 990, 993)  # sbx_user1051, as on Lambda
    assert probe["cap_eff"] == probe["cap_prm"] == "0000000000000000"
    assert probe["no_new_privs"] == "1"
    assert probe["writes"] == {
        "/var/task/new": "EROFS", "/opt/new": "EROFS", "/new": "EROFS", "/etc/new": "EROFS", "/tmp/new": "ok",
    }  # fmt: skip


def test_tmp_is_as_large_as_ephemeral_storage(lambda_client, create_function):
    small = create_function({"app.py": PROBE})
    large = create_function({"app.py": PROBE}, EphemeralStorage={"Size": 1024})
    assert 500 <= payload(lambda_client.invoke(FunctionName=small))["tmp_mb"] <= 540
    assert 1000 <= payload(lambda_client.invoke(FunctionName=large))["tmp_mb"] <= 1070


def test_filling_tmp_gives_the_function_enospc_and_keeps_tmp_across_invocations(lambda_client, create_function):
    name = create_function({"app.py": FILL_TMP}, Timeout=60, MemorySize=256)
    filled = payload(lambda_client.invoke(FunctionName=name))
    assert filled["error"] == "ENOSPC"
    assert 480 <= filled["written_mb"] <= 540
    assert payload(lambda_client.invoke(FunctionName=name, Payload=b'{"check": true}')) == {
        "kept": True,
        "fill_gone": True,
    }


def test_a_fork_bomb_hits_the_process_limit_and_harms_no_one_else(lambda_client, create_function):
    bomb = create_function({"app.py": FORK_BOMB}, Timeout=30, MemorySize=1024)
    bystander = create_function({"app.py": "def handler(event, context):\n    return 'fine'\n"})
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        exploded = pool.submit(lambda: payload(lambda_client.invoke(FunctionName=bomb)))
        calm = [pool.submit(lambda: payload(lambda_client.invoke(FunctionName=bystander))) for _ in range(5)]
        result = exploded.result()
    assert result.get("error") == "EAGAIN", result
    assert 100 < result["children"] < 1024  # the limit is the environment's: 1,024 processes and threads
    assert [future.result() for future in calm] == ["fine"] * 5
    assert payload(lambda_client.invoke(FunctionName=bystander)) == "fine"


SNOOP = """
import json, os, urllib.error, urllib.request

def handler(event, context):
    if "target" not in event:
        return {"runtime_api": os.environ["AWS_LAMBDA_RUNTIME_API"], "request_id": context.aws_request_id}
    base = "http://" + event["target"] + "/2018-06-01/runtime/invocation/"
    answers = {}
    for name, url, data in (
        ("next", base + "next", None),
        ("respond", base + event["request_id"] + "/response", b'"stolen"'),
    ):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5) as r:
                answers[name] = r.status
        except urllib.error.HTTPError as e:
            answers[name] = [e.code, json.loads(e.read())["errorType"]]
    return answers
"""


def test_an_environment_cannot_use_another_environments_runtime_api(lambda_client, create_function):
    victim = create_function({"app.py": SNOOP})
    thief = create_function({"app.py": SNOOP})
    own = payload(lambda_client.invoke(FunctionName=victim))
    stolen = payload(
        lambda_client.invoke(FunctionName=thief, Payload=json.dumps({"target": own["runtime_api"], **own}))
    )
    assert stolen == {"next": [403, "AccessDenied"], "respond": [403, "AccessDenied"]}
    again = payload(lambda_client.invoke(FunctionName=victim))  # the victim's environment is unharmed
    assert again["runtime_api"] == own["runtime_api"]


def test_a_caller_that_is_no_environment_is_refused(lambda_client, create_function):
    import urllib.error
    import urllib.request

    name = create_function({"app.py": SNOOP})
    address = payload(lambda_client.invoke(FunctionName=name))["runtime_api"]
    try:
        urllib.request.urlopen(f"http://{address}/2018-06-01/runtime/invocation/next", timeout=5)
        raise AssertionError("the Runtime API answered a caller from outside its container")
    except urllib.error.HTTPError as error:
        assert error.code == 403
        assert json.loads(error.read())["errorType"] == "AccessDenied"
    assert "runtime_api" in payload(lambda_client.invoke(FunctionName=name))


CPU = """
def read(*paths):
    for path in paths:
        try:
            return open(path).read().strip()
        except OSError:
            pass
    return None

def handler(event, context):
    return {
        "shares": read("/sys/fs/cgroup/cpu/cpu.shares", "/sys/fs/cgroup/cpu,cpuacct/cpu.shares"),
        "quota": read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us"),
        "max": read("/sys/fs/cgroup/cpu.max"),
        "weight": read("/sys/fs/cgroup/cpu.weight"),
        "swap": read("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", "/sys/fs/cgroup/memory.swap.max"),
        "memory": read("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory.max"),
    }
"""


def test_cpu_follows_memory_size_and_memory_has_no_swap(lambda_client, create_function):
    small = payload(lambda_client.invoke(FunctionName=create_function({"app.py": CPU}, MemorySize=128)))
    large = payload(lambda_client.invoke(FunctionName=create_function({"app.py": CPU}, MemorySize=3538)))
    if small["shares"] is not None:  # cgroup v1
        assert (int(small["shares"]), int(large["shares"])) == (74, 2048)  # 1,769 MB = 1,024 shares = one vCPU
        assert (int(small["quota"]), int(large["quota"])) == (100000, 200000)  # ceilings: 1 and 2 vCPUs
    else:  # cgroup v2
        assert int(small["weight"]) < int(large["weight"])
        assert small["max"].split()[0] == "100000" and large["max"].split()[0] == "200000"
    assert int(small["memory"]) == 128 * 2**20
    assert small["swap"] in (str(128 * 2**20), "0")  # memory + swap = memory: no swap
