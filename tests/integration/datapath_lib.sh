# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Shared by the datapath integration tests (sourced after lab.sh). The caller defines
# node() (runs a command in the node's network namespace with the host's bpffs),
# $PIN (the pin root) and $WORK (a scratch directory).

# attach_check DEV tcx|clsact: our two programs are on DEV in that mode only. tcx:
# both pinned links are tcx links on DEV's ifindex with the right attach types (the
# kernel's fdinfo) and bpftool lists them; clsact: bpftool shows our clsact filters
# and no link runs our programs. (Debian's bpftool 7.1 predates tcx: it prints tcx
# links as "type 11" and leaves them out of `net show`.)
attach_check() {
	local ifx
	ifx=$(node ip -o link show dev "$1" | cut -d: -f1)
	node bpftool -j link show > "$WORK/links.json"
	node bpftool net show dev "$1" > "$WORK/net.txt"
	python3 - "$PIN" "$ifx" "$2" "$WORK/links.json" "$WORK/net.txt" <<'PY'
import ctypes, json, os, sys
pin, ifx, mode, links, net = sys.argv[1:6]
libc = ctypes.CDLL(None, use_errno=True)
NR_BPF = {"x86_64": 321, "aarch64": 280}[os.uname().machine]
def fdinfo(path):	# bpf(BPF_OBJ_GET) and the kernel's fdinfo of the object
    if not os.path.exists(path):
        return None
    b = ctypes.create_string_buffer(path.encode())
    attr = (ctypes.c_uint64 * 16)()
    attr[0] = ctypes.cast(b, ctypes.c_void_p).value
    fd = libc.syscall(NR_BPF, 7, ctypes.byref(attr), 128)
    assert fd >= 0, (path, ctypes.get_errno())
    info = {}
    for l in open("/proc/self/fdinfo/%d" % fd):
        k, _, v = l.partition(":")
        info[k.strip()] = v.strip()
    os.close(fd)
    return info
progs = {d: fdinfo(f"{pin}/prog_{d}_pod")["prog_id"] for d in ("from", "to")}
ls = json.load(open(links))
ours = [l for l in ls if str(l["prog_id"]) in progs.values()]
clsact = [l for l in open(net) if "clsact/" in l]
if mode == "tcx":
    for d, at in (("from", "46 (ingress)"), ("to", "47 (egress)")):
        i = fdinfo(f"{pin}/tcx_{ifx}_{d}_pod")
        assert i and i["link_type"] == "tcx" and i["ifindex"] == ifx, (d, i)
        assert i["attach_type"] == at and i["prog_id"] == progs[d], (d, i, progs)
        assert [l for l in ls if str(l["id"]) == i["link_id"] and l["type"] in (11, "tcx")], (d, ls)
    assert not clsact, clsact
else:
    assert not [f for f in os.listdir(pin) if f.startswith(f"tcx_{ifx}_")], os.listdir(pin)
    assert any("clsact/ingress dp_from_pod" in l for l in clsact), clsact
    assert any("clsact/egress dp_to_pod" in l for l in clsact), clsact
    assert not [l for l in ours if l["type"] in (11, "tcx")], ours
print(f"attach {sys.argv[2]}: {mode} ok")
PY
}
