// Command driver plays the daemon's side of the stdio protocol for the
// latency-bound part of bench/sdk-compare: it starts a plugin, times its cold
// start, reads its idle memory and sends trivial invocations at a given
// concurrency, timing each from writing the request line to reading its `end`.
//
// It is written in Go because the daemon is: a Node driver's own round trip
// (about 65 µs on the reference machine) hid most of the difference between
// the plugins at concurrency 1. Both plugins are driven by this same program.
//
//	driver -request '{"session_id":"@SESSION@",...}' -sequential 10000 \
//	       -concurrent 100000 -concurrency 64 -rss-every 1000 -settle-ms 1000 -warmup 2000 \
//	       -dir <cwd> -- <command> [args...]
//
// The plugin inherits the driver's environment (the caller passes the
// daemon-like one). The result is one JSON object on stdout; on failure the
// driver exits 1 with the reason (and the plugin's stderr tail) on stderr.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

const sessionPlaceholder = "@SESSION@"

type memory struct {
	RSS       int64 `json:"rss"`
	Peak      int64 `json:"peak"`
	Anonymous int64 `json:"anonymous"`
}

type rssSample struct {
	Completed int   `json:"completed"`
	RSS       int64 `json:"rss"`
}

type load struct {
	Requests         int         `json:"requests"`
	Seconds          float64     `json:"seconds"`
	PerSecond        float64     `json:"perSecond"`
	PluginCPUSeconds float64     `json:"pluginCpuSeconds"`
	LatenciesMs      []float64   `json:"latencies"`
	RSSSamples       []rssSample `json:"rssSamples"`
}

type result struct {
	ColdStartMs float64 `json:"coldStartMs"`
	Idle        memory  `json:"idle"`
	Sequential  *load   `json:"sequential,omitempty"`
	Concurrent  *load   `json:"concurrent,omitempty"`
}

// event is the part of a plugin line the driver needs (scan.go reads it).
type event struct {
	Event     string
	SessionID *string
	Data      struct{ Type string }
}

type plugin struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *tailBuffer
	pid    int
}

// tailBuffer keeps the last bytes the plugin wrote to stderr, for error reports.
type tailBuffer struct {
	mu   sync.Mutex
	data []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.data = append(t.data, p...)
	if len(t.data) > 4096 {
		t.data = t.data[len(t.data)-4096:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.data)
}

func start(dir string, argv []string) (*plugin, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &plugin{cmd: cmd, stdin: stdin, stdout: bufio.NewReaderSize(stdout, 1<<20), stderr: &tailBuffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p.pid = cmd.Process.Pid
	return p, nil
}

// nextEvent reads the plugin's next protocol line; blank and non-JSON lines are skipped.
func (p *plugin) nextEvent() (event, error) {
	for {
		line, err := p.stdout.ReadBytes('\n')
		if e, ok := scanEvent(line); ok {
			return e, nil
		}
		if err != nil {
			return event{}, err
		}
	}
}

func (p *plugin) waitForHeartbeat(timeout time.Duration) error {
	done := make(chan error, 1)
	go func() {
		for {
			e, err := p.nextEvent()
			if err != nil {
				done <- errors.New("the plugin exited before its first heartbeat")
				return
			}
			if e.Event == "heartbeat" {
				done <- nil
				return
			}
		}
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("no heartbeat within %s", timeout)
	}
}

// pending is a request in flight and what its session has sent so far.
type pending struct {
	index   int
	begin   time.Time
	streams int
	errored bool
}

var sequence int

// run sends `count` invocations keeping `concurrency` in flight. One
// goroutine writes and reads: each `end` read sends the next request, so no
// hand-off between goroutines sits inside the measured round trip.
func (p *plugin) run(template []string, count, concurrency, rssEvery int) (*load, error) {
	result := &load{Requests: count, LatenciesMs: make([]float64, count)}
	inFlight := map[string]*pending{}
	issued, completed := 0, 0
	send := func() error {
		sequence++
		id := "bench-" + strconv.Itoa(sequence)
		inFlight[id] = &pending{index: issued, begin: time.Now()}
		issued++
		if _, err := io.WriteString(p.stdin, strings.Join(template, id)); err != nil {
			return fmt.Errorf("writing request %s: %w", id, err)
		}
		return nil
	}
	cpuBefore := cpuSeconds(p.pid)
	begin := time.Now()
	for issued < count && issued < concurrency {
		if err := send(); err != nil {
			return nil, err
		}
	}
	for completed < count {
		e, err := p.nextEvent()
		if err != nil {
			return nil, fmt.Errorf("the plugin closed its stdout after %d of %d requests", completed, count)
		}
		if e.Event != "session" || e.SessionID == nil {
			continue
		}
		request := inFlight[*e.SessionID]
		if request == nil {
			continue
		}
		switch e.Data.Type {
		case "stream":
			request.streams++
		case "error":
			request.errored = true
		case "end":
			result.LatenciesMs[request.index] = float64(time.Since(request.begin).Nanoseconds()) / 1e6
			// A trivial invocation answers with exactly one stream message.
			if request.errored || request.streams != 1 {
				return nil, fmt.Errorf("request %s answered with %d stream messages, error %v", *e.SessionID, request.streams, request.errored)
			}
			delete(inFlight, *e.SessionID)
			completed++
			if rssEvery > 0 && completed%rssEvery == 0 {
				result.RSSSamples = append(result.RSSSamples, rssSample{Completed: completed, RSS: readMemory(p.pid).RSS})
			}
			if issued < count {
				if err := send(); err != nil {
					return nil, err
				}
			}
		}
	}
	result.Seconds = time.Since(begin).Seconds()
	result.PerSecond = float64(count) / result.Seconds
	result.PluginCPUSeconds = cpuSeconds(p.pid) - cpuBefore
	return result, nil
}

func (p *plugin) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	// Closing stdin lets the plugin shut down as it does when the daemon goes
	// (a --cpu-prof run writes its profile then); a plugin still running after
	// two seconds is killed.
	_ = p.stdin.Close()
	done := make(chan struct{})
	go func() {
		_ = p.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// readMemory returns VmRSS, VmHWM and RssAnon from /proc, in bytes.
func readMemory(pid int) memory {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}
	}
	field := func(name string) int64 {
		for _, line := range strings.Split(string(status), "\n") {
			if rest, ok := strings.CutPrefix(line, name+":"); ok {
				value, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				return value * 1024
			}
		}
		return 0
	}
	return memory{RSS: field("VmRSS"), Peak: field("VmHWM"), Anonymous: field("RssAnon")}
}

// cpuSeconds is the user + system CPU a process has used (USER_HZ is 100 on Linux).
func cpuSeconds(pid int) float64 {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	after := string(stat[bytes.LastIndexByte(stat, ')')+2:])
	fields := strings.Fields(after)
	user, _ := strconv.ParseFloat(fields[11], 64)
	system, _ := strconv.ParseFloat(fields[12], 64)
	return (user + system) / 100
}

func main() {
	request := flag.String("request", "", "a request line (JSON) with "+sessionPlaceholder+" where the session id goes")
	dir := flag.String("dir", ".", "the plugin's working directory")
	sequential := flag.Int("sequential", 0, "invocations at concurrency 1")
	concurrent := flag.Int("concurrent", 0, "invocations at -concurrency")
	concurrency := flag.Int("concurrency", 64, "invocations in flight for -concurrent")
	rssEvery := flag.Int("rss-every", 0, "sample the plugin's RSS every this many completed -concurrent invocations")
	settle := flag.Int("settle-ms", 0, "idle time after the first heartbeat before reading idle memory")
	warmup := flag.Int("warmup", 0, "invocations at concurrency 1 after reading idle memory, not counted (lets a JIT compile the hot path)")
	timeout := flag.Duration("start-timeout", 60*time.Second, "how long to wait for the first heartbeat")
	flag.Parse()
	if err := drive(*request, *dir, flag.Args(), *sequential, *concurrent, *concurrency, *rssEvery, *settle, *warmup, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "driver:", err)
		os.Exit(1)
	}
}

func drive(request, dir string, argv []string, sequential, concurrent, concurrency, rssEvery, settleMs, warmup int, timeout time.Duration) error {
	if len(argv) == 0 {
		return errors.New("no plugin command given after --")
	}
	if (sequential > 0 || concurrent > 0 || warmup > 0) && !strings.Contains(request, sessionPlaceholder) {
		return fmt.Errorf("-request must contain %s", sessionPlaceholder)
	}
	template := strings.Split(strings.TrimRight(request, "\n")+"\n", sessionPlaceholder)
	begin := time.Now()
	p, err := start(dir, argv)
	if err != nil {
		return err
	}
	defer p.stop()
	failed := func(err error) error {
		p.stop() // Wait also collects the rest of stderr.
		return fmt.Errorf("%w; plugin stderr: %s", err, p.stderr.String())
	}
	if err := p.waitForHeartbeat(timeout); err != nil {
		return failed(err)
	}
	out := result{ColdStartMs: float64(time.Since(begin).Nanoseconds()) / 1e6}
	time.Sleep(time.Duration(settleMs) * time.Millisecond)
	out.Idle = readMemory(p.pid)
	if warmup > 0 {
		if _, err := p.run(template, warmup, 1, 0); err != nil {
			return failed(err)
		}
	}
	if sequential > 0 {
		if out.Sequential, err = p.run(template, sequential, 1, 0); err != nil {
			return failed(err)
		}
	}
	if concurrent > 0 {
		if out.Concurrent, err = p.run(template, concurrent, concurrency, rssEvery); err != nil {
			return failed(err)
		}
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}
