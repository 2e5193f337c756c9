package ingest

import (
	"unicode/utf16"
	"unicode/utf8"
)

// jsonParser parses one flat JSON object per line into parallel key and
// value slices. Strings without escapes alias the line; unescaped ones go to
// scratch, which must have capacity for len(line) more bytes. Numbers keep
// their text, true and false become "true" and "false", null becomes "".
type jsonParser struct {
	s       []byte
	i       int
	keys    []string
	vals    []string
	scratch []byte
}

// jsonError describes why a line is not a flat object; key names the
// offending key when known.
type jsonError struct {
	key, reason string
}

// parseJSONObject parses line as a flat JSON object.
func (p *jsonParser) parse(line []byte) (bad jsonError, ok bool) {
	p.s, p.i = line, 0
	p.keys, p.vals = p.keys[:0], p.vals[:0]
	p.ws()
	if !p.eat('{') {
		return jsonError{reason: "not a json object"}, false
	}
	p.ws()
	if p.eat('}') {
		return p.end()
	}
	for {
		p.ws()
		key, ok := p.str()
		if !ok {
			return jsonError{reason: "invalid json key"}, false
		}
		p.ws()
		if !p.eat(':') {
			return jsonError{key: key, reason: "invalid json"}, false
		}
		p.ws()
		if p.i >= len(p.s) {
			return jsonError{key: key, reason: "invalid json"}, false
		}
		var val string
		switch c := p.s[p.i]; {
		case c == '"':
			if val, ok = p.str(); !ok {
				return jsonError{key: key, reason: "invalid json string"}, false
			}
		case c == '{' || c == '[':
			return jsonError{key: key, reason: "nested value"}, false
		case c == 'n':
			if !p.word("null") {
				return jsonError{key: key, reason: "invalid json"}, false
			}
		case c == 't':
			if !p.word("true") {
				return jsonError{key: key, reason: "invalid json"}, false
			}
			val = "true"
		case c == 'f':
			if !p.word("false") {
				return jsonError{key: key, reason: "invalid json"}, false
			}
			val = "false"
		case c == '-' || c >= '0' && c <= '9':
			start := p.i
			for p.i < len(p.s) && isNumByte(p.s[p.i]) {
				p.i++
			}
			val = view(p.s[start:p.i])
		default:
			return jsonError{key: key, reason: "invalid json"}, false
		}
		p.keys = append(p.keys, key)
		p.vals = append(p.vals, val)
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			return p.end()
		}
		return jsonError{key: key, reason: "invalid json"}, false
	}
}

func (p *jsonParser) end() (jsonError, bool) {
	p.ws()
	if p.i != len(p.s) {
		return jsonError{reason: "trailing data after json object"}, false
	}
	return jsonError{}, true
}

func isNumByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

func (p *jsonParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *jsonParser) word(w string) bool {
	if len(p.s)-p.i >= len(w) && string(p.s[p.i:p.i+len(w)]) == w {
		p.i += len(w)
		return true
	}
	return false
}

// str parses a JSON string at p.i.
func (p *jsonParser) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.i
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '"':
			v := view(p.s[start:p.i])
			p.i++
			return v, true
		case '\\':
			return p.escaped(start)
		}
		p.i++
	}
	return "", false
}

// escaped continues a string that holds escapes, writing it to scratch.
func (p *jsonParser) escaped(start int) (string, bool) {
	from := len(p.scratch)
	p.scratch = append(p.scratch, p.s[start:p.i]...)
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '"' {
			p.i++
			return view(p.scratch[from:]), true
		}
		if c != '\\' {
			p.scratch = append(p.scratch, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			return "", false
		}
		e := p.s[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			p.scratch = append(p.scratch, e)
		case 'b':
			p.scratch = append(p.scratch, '\b')
		case 'f':
			p.scratch = append(p.scratch, '\f')
		case 'n':
			p.scratch = append(p.scratch, '\n')
		case 'r':
			p.scratch = append(p.scratch, '\r')
		case 't':
			p.scratch = append(p.scratch, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if p.i+1 < len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
					p.i += 2
					if r2, ok = p.hex4(); !ok {
						return "", false
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			// A rune's UTF-8 form is never longer than its escape, so
			// scratch keeps within its capacity.
			p.scratch = utf8.AppendRune(p.scratch, r)
		default:
			return "", false
		}
	}
	return "", false
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.s)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.s[p.i : p.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}
