# Runs one command and prints {"wall_ms", "cpu_ms", "max_rss_kib", …} for it alone: wall time around
# the child only, and its CPU time (user + system) and peak RSS from getrusage(RUSAGE_CHILDREN) —
# the kernel's figures, which Node cannot read for a child. CPU time is what a loaded machine
# disturbs least; wall time is what a user feels. stdout is a pipe, as kubectl reads an exec plugin's.
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = (time.perf_counter() - start) * 1000
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_ms": wall, "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000, "max_rss_kib": usage.ru_maxrss, "code": proc.returncode, "stderr": proc.stderr.decode()[-300:]}))
