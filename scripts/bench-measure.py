# Runs one command and prints {"wall_ms":…, "max_rss_kib":…} for it alone: wall time around the
# child only, and the child's peak RSS from getrusage(RUSAGE_CHILDREN) (Node cannot read it).
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = (time.perf_counter() - start) * 1000
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_ms": wall, "max_rss_kib": usage.ru_maxrss, "code": proc.returncode, "stderr": proc.stderr.decode()[-300:]}))
