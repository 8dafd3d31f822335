package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// The output formats.
const (
	formatTable  = "table"
	formatJSON   = "json"
	formatNDJSON = "ndjson"
)

// column is one column of a table: its header and how a record fills it.
type column[T any] struct {
	header string
	cell   func(T) string
}

// printer writes records of one kind in the chosen format: an aligned table, one JSON
// document (an array), or one JSON object per line as each record arrives.
type printer[T any] struct {
	format string
	w      io.Writer
	cols   []column[T]
	tw     *tabwriter.Writer
	all    []T
	// widths are the column widths of a streaming table, which grow with the widest
	// cell printed so far.
	widths []int
}

// newPrinter returns a printer of records to w in format.
func newPrinter[T any](w io.Writer, format string, cols []column[T]) *printer[T] {
	p := &printer[T]{format: format, w: w, cols: cols}
	if format == formatTable {
		p.tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(p.tw, strings.Join(p.headers(), "\t"))
	}
	return p
}

// newStreamingPrinter returns a printer for output that never ends: each table row is
// printed as it is added, the header with the first one, aligned on the widest cell
// printed so far.
func newStreamingPrinter[T any](w io.Writer, format string, cols []column[T]) *printer[T] {
	p := &printer[T]{format: format, w: w, cols: cols}
	if format == formatTable {
		p.widths = make([]int, len(cols))
	}
	return p
}

func (p *printer[T]) headers() []string {
	headers := make([]string, len(p.cols))
	for i, c := range p.cols {
		headers[i] = c.header
	}
	return headers
}

// add prints (or, for one JSON document, keeps) a record.
func (p *printer[T]) add(rec T) error {
	switch p.format {
	case formatJSON:
		p.all = append(p.all, rec)
		return nil
	case formatNDJSON:
		return json.NewEncoder(p.w).Encode(rec)
	}
	cells := make([]string, len(p.cols))
	for i, c := range p.cols {
		cells[i] = tableCell(c.cell(rec))
	}
	if p.widths != nil {
		return p.streamRow(cells)
	}
	_, err := fmt.Fprintln(p.tw, strings.Join(cells, "\t"))
	return err
}

// streamRow prints a row of a streaming table, after the header when it is the first.
func (p *printer[T]) streamRow(cells []string) error {
	first := p.widths[0] == 0
	var b strings.Builder
	row := func(cells []string) {
		for i, c := range cells {
			if i == len(cells)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", p.widths[i]-utf8.RuneCountInString(c)+2))
		}
		b.WriteByte('\n')
	}
	headers := p.headers()
	for i := range cells {
		p.widths[i] = max(p.widths[i], utf8.RuneCountInString(cells[i]), utf8.RuneCountInString(headers[i]))
	}
	if first {
		row(headers)
	}
	row(cells)
	_, err := io.WriteString(p.w, b.String())
	return err
}

// flush ends the output: the table's alignment, the JSON document.
func (p *printer[T]) flush() error {
	switch p.format {
	case formatJSON:
		if p.all == nil {
			p.all = []T{}
		}
		enc := json.NewEncoder(p.w)
		enc.SetIndent("", "  ")
		return enc.Encode(p.all)
	case formatNDJSON:
		return nil
	}
	if p.tw == nil {
		return nil
	}
	return p.tw.Flush()
}

// tableCell keeps a cell on one line and shows an empty one as "-".
func tableCell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Join(strings.Fields(s), " ")
}
