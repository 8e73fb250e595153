# Runs one command and prints {"wall_ms", "cpu_ms", "max_rss_kib", …} for it alone: wall time around
# the child only, and its CPU time (user + system) and peak RSS from getrusage(RUSAGE_CHILDREN) —
# the kernel's figures, which Node cannot read for a child. CPU time is what a loaded machine
# disturbs least; wall time is what a user feels. stdout is a pipe, as kubectl reads an exec plugin's.
#
# CPU is the difference of RUSAGE_CHILDREN around the run, not its total: a `python3` that is a
# shim (pyenv's is a bash script) has already waited for helper processes in this same process
# before Python started, ~40-80 ms of CPU that a total would add to subject and baseline alike,
# pulling every CPU ratio towards 1. Peak RSS is a maximum over the children, and those helpers
# (shells, a few MiB) stay far below any Node process.
import json, resource, subprocess, sys, time

def cpu_ms(usage):
    return (usage.ru_utime + usage.ru_stime) * 1000

before = resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = (time.perf_counter() - start) * 1000
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_ms": wall, "cpu_ms": cpu_ms(usage) - cpu_ms(before), "max_rss_kib": usage.ru_maxrss, "code": proc.returncode, "stderr": proc.stderr.decode()[-300:]}))
