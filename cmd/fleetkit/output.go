package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
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
	// streaming prints each table row as it is added (the columns are then not aligned
	// across rows), for output that never ends.
	streaming bool
}

// newPrinter returns a printer of records to w in format.
func newPrinter[T any](w io.Writer, format string, cols []column[T]) *printer[T] {
	p := &printer[T]{format: format, w: w, cols: cols}
	if format == formatTable {
		p.tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		headers := make([]string, len(cols))
		for i, c := range cols {
			headers[i] = c.header
		}
		fmt.Fprintln(p.tw, strings.Join(headers, "\t"))
	}
	return p
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
	if _, err := fmt.Fprintln(p.tw, strings.Join(cells, "\t")); err != nil {
		return err
	}
	if p.streaming {
		return p.tw.Flush()
	}
	return nil
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
	return p.tw.Flush()
}

// tableCell keeps a cell on one line and shows an empty one as "-".
func tableCell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Join(strings.Fields(s), " ")
}
