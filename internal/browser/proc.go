package browser

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Chromium's helper processes (zygotes, renderers, utilities) carry the
// browser's --user-data-dir on their command line, and every Pool launch
// uses a fresh directory, so that flag finds a browser's whole process
// tree without trusting process groups (the zygote re-parents children).

// profileProcs returns the pids of processes started with dir as their
// --user-data-dir.
func profileProcs(dir string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		if hasArg(cmdline(pid), "--user-data-dir="+dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// cmdline reads a process's command line. Zygote-forked helpers rewrite
// theirs as one space-separated string; both forms come back with NUL
// separators turned into spaces.
func cmdline(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return ""
	}
	return string(bytes.ReplaceAll(bytes.TrimRight(b, "\x00"), []byte{0}, []byte{' '}))
}

// hasArg reports whether the command line has arg as a whole argument.
func hasArg(cmd, arg string) bool {
	for i := 0; ; {
		j := strings.Index(cmd[i:], arg)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(arg)
		if (j == 0 || cmd[j-1] == ' ') && (end == len(cmd) || cmd[end] == ' ') {
			return true
		}
		i = j + 1
	}
}

// killProfileProcs SIGKILLs every process of dir until none is left for a
// few looks in a row (a dying zygote can fork once more), or for at most
// two seconds.
func killProfileProcs(dir string) {
	deadline := time.Now().Add(2 * time.Second)
	for quiet := 0; quiet < 3 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		pids := profileProcs(dir)
		if len(pids) == 0 {
			quiet++
			continue
		}
		quiet = 0
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// procType is a Chromium process's --type (renderer, zygote, utility,
// gpu-process), or "browser" for the main process.
func procType(pid int) string {
	for _, arg := range strings.Fields(cmdline(pid)) {
		if t, ok := strings.CutPrefix(arg, "--type="); ok {
			return t
		}
	}
	return "browser"
}

// procStatusKB reads a "Name:   123 kB" field of /proc/pid/status.
func procStatusKB(pid int, field string) int64 { return procFieldKB(pid, "status", field) }

// procFieldKB reads a "Name:   123 kB" field of /proc/pid/<file>.
func procFieldKB(pid int, file, field string) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/" + file)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

// profilePrefix names the profile directories a Pool makes.
const profilePrefix = "scamscope-chromium-"

// sweepStaleProfiles removes profile directories in dir that a Pool of a
// process killed without Close left behind: older than an hour and used by
// no running process. It returns how many it removed.
func sweepStaleProfiles(dir string) int {
	if dir == "" {
		dir = os.TempDir()
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), profilePrefix) {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < time.Hour {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if len(profileProcs(path)) > 0 {
			continue
		}
		if os.RemoveAll(path) == nil {
			n++
		}
	}
	return n
}
