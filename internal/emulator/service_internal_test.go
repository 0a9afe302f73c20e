package emulator

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// TestSlowHeadersAreCut: a client that never finishes its headers (slowloris) is disconnected after
// readHeaderTimeout instead of holding a connection and a goroutine for ever.
func TestSlowHeadersAreCut(t *testing.T) {
	defer func(d time.Duration) { readHeaderTimeout = d }(readHeaderTimeout)
	readHeaderTimeout = 300 * time.Millisecond
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conn, err := net.Dial("tcp", s.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	took := time.Since(start)
	if took > 3*time.Second {
		t.Fatalf("the connection was still open after %s (read %q, %v)", took, line, err)
	}
	// Go's server closes the connection, possibly after a 408; anything else is wrong.
	if err == nil && !strings.Contains(line, "408") {
		t.Fatalf("slow headers answered %q, want a closed connection or 408", line)
	}
}
