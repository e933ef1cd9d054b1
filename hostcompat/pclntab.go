package hostcompat

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// lineTableMagics are the first four bytes of every Go line table format since Go 1.2
// (1.2, 1.16, 1.18 and 1.20), as stored in the header.
var lineTableMagics = []uint32{0xfffffffb, 0xfffffffa, 0xfffffff0, 0xfffffff1}

// sourceFiles returns every source file path recorded in the Go line table of ef,
// sorted. It finds the table by section name, then by the runtime.pclntab symbol,
// then by scanning loaded sections for the table header, so that it works on stripped
// executables and on shared objects where the linker merged the table into another
// section.
func sourceFiles(ef *elf.File) ([]string, error) {
	if s := ef.Section(".gopclntab"); s != nil {
		data, err := s.Data()
		if err != nil {
			return nil, fmt.Errorf("reading .gopclntab: %w", err)
		}
		return filesInLineTable(data)
	}
	if data := lineTableBySymbol(ef); data != nil {
		if files, err := filesInLineTable(data); err == nil {
			return files, nil
		}
	}
	return lineTableByScan(ef)
}

// lineTableBySymbol returns the bytes between the runtime.pclntab and
// runtime.epclntab symbols, or nil when the symbol table lacks them.
func lineTableBySymbol(ef *elf.File) []byte {
	syms, err := ef.Symbols()
	if err != nil {
		return nil
	}
	var start, end uint64
	for _, s := range syms {
		switch s.Name {
		case "runtime.pclntab":
			start = s.Value
		case "runtime.epclntab":
			end = s.Value
		}
	}
	if start == 0 || end <= start {
		return nil
	}
	for _, sect := range ef.Sections {
		if sect.Type != elf.SHT_PROGBITS || start < sect.Addr || end > sect.Addr+sect.Size {
			continue
		}
		data, err := sect.Data()
		if err != nil {
			return nil
		}
		return data[start-sect.Addr : end-sect.Addr]
	}
	return nil
}

// lineTableByScan looks for a line table header in every loaded data section and
// returns the files of the first candidate that parses and lists the runtime.
func lineTableByScan(ef *elf.File) ([]string, error) {
	for _, sect := range ef.Sections {
		if sect.Type != elf.SHT_PROGBITS || sect.Flags&elf.SHF_ALLOC == 0 {
			continue
		}
		data, err := sect.Data()
		if err != nil {
			continue
		}
		for _, off := range headerCandidates(data, ef.ByteOrder) {
			files, err := filesInLineTable(data[off:])
			if err == nil && hasRuntimeFile(files) {
				return files, nil
			}
		}
	}
	return nil, errNoLineTable
}

// headerCandidates returns the offsets in data where a line table header could start:
// a known magic, two zero bytes, a plausible instruction size quantum and pointer size.
func headerCandidates(data []byte, order binary.ByteOrder) []int {
	var offs []int
	magic := make([]byte, 4)
	for _, m := range lineTableMagics {
		order.PutUint32(magic, m)
		for base := 0; ; {
			i := bytes.Index(data[base:], magic)
			if i < 0 {
				break
			}
			off := base + i
			if off+8 <= len(data) && plausibleHeader(data[off+4:off+8]) {
				offs = append(offs, off)
			}
			base = off + 1
		}
	}
	sort.Ints(offs)
	return offs
}

// plausibleHeader checks the four header bytes after the magic.
func plausibleHeader(b []byte) bool {
	quantumOK := b[2] == 1 || b[2] == 2 || b[2] == 4
	ptrOK := b[3] == 4 || b[3] == 8
	return b[0] == 0 && b[1] == 0 && quantumOK && ptrOK
}

// hasRuntimeFile reports whether files include the runtime's proc.go, which every Go
// program links.
func hasRuntimeFile(files []string) bool {
	for _, f := range files {
		if f == runtimeFile || strings.HasSuffix(f, "/src/"+runtimeFile) {
			return true
		}
	}
	return false
}

// filesInLineTable decodes the file name table of a Go 1.16 or later line table and
// returns the names, sorted and without duplicates. It reads only the header and the
// file table, checking every offset and count against the data, so a malformed table
// yields an error, never a panic or a huge allocation.
func filesInLineTable(data []byte) ([]string, error) {
	if len(data) < 8 || !plausibleHeader(data[4:8]) {
		return nil, errNoLineTable
	}
	order, magic, ok := lineTableOrder(data[:4])
	if !ok {
		return nil, errNoLineTable
	}
	// The header words after the 8 fixed bytes: nfunc, nfiles, then (since Go 1.18)
	// textStart, then the offsets of the name, compilation unit and file tables.
	filetabWord := 5
	switch magic {
	case 0xfffffffb:
		return nil, errOldLineTable
	case 0xfffffffa:
		filetabWord = 4
	}
	ptrSize := int(data[7])
	word := func(i int) (uint64, bool) {
		off := 8 + i*ptrSize
		if off+ptrSize > len(data) {
			return 0, false
		}
		if ptrSize == 4 {
			return uint64(order.Uint32(data[off:])), true
		}
		return order.Uint64(data[off:]), true
	}
	nfiles, ok1 := word(1)
	tabOff, ok2 := word(filetabWord)
	if !ok1 || !ok2 || tabOff >= uint64(len(data)) {
		return nil, fmt.Errorf("malformed Go line table: file table outside the data")
	}
	return readFileTable(data[tabOff:], nfiles)
}

// readFileTable reads n NUL-terminated names from tab.
func readFileTable(tab []byte, n uint64) ([]string, error) {
	if n == 0 || n > uint64(len(tab)) {
		return nil, fmt.Errorf("malformed Go line table: %d file names in %d bytes",
			n, len(tab))
	}
	seen := make(map[string]bool)
	files := make([]string, 0, min(n, 1<<16))
	for i := uint64(0); i < n; i++ {
		end := bytes.IndexByte(tab, 0)
		if end < 0 {
			return nil, fmt.Errorf("malformed Go line table: unterminated file name")
		}
		if name := string(tab[:end]); name != "" && !seen[name] {
			seen[name] = true
			files = append(files, name)
		}
		tab = tab[end+1:]
	}
	sort.Strings(files)
	return files, nil
}

// lineTableOrder tells the byte order and magic of a line table from its first four
// bytes; the magics read differently in the two orders.
func lineTableOrder(b []byte) (binary.ByteOrder, uint32, bool) {
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		m := order.Uint32(b)
		for _, magic := range lineTableMagics {
			if m == magic {
				return order, m, true
			}
		}
	}
	return nil, 0, false
}
