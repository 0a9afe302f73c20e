package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"time"
)

func printTable(w io.Writer, rs []result) {
	fmt.Fprintln(w, "| scenario | phase | mode | wall s | × floor | × (calls/qps + unthrottled) | calls | Attach | Detach | ProductApis pages | DescribeApi(s) | throttled | errors | provider peak RSS MB |")
	fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	floor := map[string]time.Duration{}
	unthrottled := map[string]time.Duration{}
	for _, r := range rs {
		if r.mode == "floor" {
			floor[r.sc.String()+r.phase] = r.wall
		}
		if r.sc.qps == 0 {
			unthrottled[fmt.Sprint(r.sc.n, r.sc.products, r.sc.parallelism, r.mode, r.phase)] = r.wall
		}
	}
	for _, r := range rs {
		ratio := "-"
		if f := floor[r.sc.String()+r.phase]; f > 0 && r.mode != "floor" {
			ratio = fmt.Sprintf("%.2f", r.wall.Seconds()/f.Seconds())
		}
		// Under a QPS limit the calls alone need calls/qps seconds on top of the unthrottled run.
		throttledRatio := "-"
		if u, ok := unthrottled[fmt.Sprint(r.sc.n, r.sc.products, r.sc.parallelism, r.mode, r.phase)]; ok && r.sc.qps > 0 {
			want := float64(r.total()-r.calls["(throttled)"])/r.sc.qps + u.Seconds()
			throttledRatio = fmt.Sprintf("%.2f", r.wall.Seconds()/want)
		}
		rss := "-"
		if r.rssKB > 0 {
			rss = fmt.Sprintf("%.0f", float64(r.rssKB)/1024)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.1f | %s | %s | %d | %d | %d | %d | %d | %d | %d | %s |\n", r.sc, r.phase, r.mode, r.wall.Seconds(), ratio, throttledRatio,
			r.total()-r.calls["(throttled)"], r.calls["AttachApiProduct"], r.calls["DetachApiProduct"], r.calls["DescribeApiProductApis"],
			r.calls["DescribeApi"]+r.calls["DescribeApis"], r.calls["(throttled)"], r.errors, rss)
	}
}

func writeCSV(dir string, rs []result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, fmt.Sprintf("terraform-%s-%dcores.csv", time.Now().UTC().Format("20060102T150405Z"), runtime.NumCPU()))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := csv.NewWriter(f)
	actions := map[string]bool{}
	for _, r := range rs {
		for a := range r.calls {
			actions[a] = true
		}
	}
	var cols []string
	for a := range actions {
		cols = append(cols, a)
	}
	sort.Strings(cols)
	_ = w.Write(append([]string{"date", "cores", "n", "products", "parallelism", "qps", "mode", "phase", "wall_s", "calls_total", "errors", "provider_peak_rss_kb"}, cols...))
	date := time.Now().UTC().Format(time.RFC3339)
	for _, r := range rs {
		row := []string{date, fmt.Sprint(runtime.NumCPU()), fmt.Sprint(r.sc.n), fmt.Sprint(r.sc.products), fmt.Sprint(r.sc.parallelism), fmt.Sprint(r.sc.qps),
			r.mode, r.phase, fmt.Sprintf("%.3f", r.wall.Seconds()), fmt.Sprint(r.total()), fmt.Sprint(r.errors), fmt.Sprint(r.rssKB)}
		for _, a := range cols {
			row = append(row, fmt.Sprint(r.calls[a]))
		}
		_ = w.Write(row)
	}
	w.Flush()
	fmt.Fprintf(os.Stderr, "wrote %s\n", path)
	return w.Error()
}
