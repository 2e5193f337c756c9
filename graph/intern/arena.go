package intern

import "unsafe"

// Arena hands out strings that share large blocks of memory: findings
// that name many ids (the visits a rule hit cites, a ring's visits) keep a
// few blocks for the collector to mark instead of an object per id. A
// block is never written over once a string points into it, so the
// strings stay valid for as long as they are held (holding one keeps its
// block). The zero value is ready to use; a nil *Arena copies each string
// into an allocation of its own. An Arena is not safe for concurrent use.
type Arena struct {
	block []byte
}

// arenaBlock is the size of an Arena's blocks.
const arenaBlock = 64 << 10

// arenaRoom is the room an Arena makes sure of before appending an id: a
// packed id is at most maxPrefixLen+maxTailDigits bytes, so that it never
// outgrows its block (an id kept whole and longer may: it is then copied
// with the block, which wastes the block's copy and nothing else).
const arenaRoom = maxPrefixLen + maxTailDigits

// add appends what appendTo writes to the arena and returns it as a
// string.
func (a *Arena) add(appendTo func(dst []byte) []byte) string {
	if cap(a.block)-len(a.block) < arenaRoom {
		a.block = make([]byte, 0, arenaBlock)
	}
	start := len(a.block)
	a.block = appendTo(a.block)
	if len(a.block) == start {
		return ""
	}
	return unsafe.String(&a.block[start], len(a.block)-start)
}

// StringIn returns the id of row id, in a (String when a is nil).
func (l *PackedList) StringIn(a *Arena, id ID) string {
	if a == nil {
		return l.String(id)
	}
	return a.add(func(dst []byte) []byte { return l.AppendTo(dst, id) })
}
