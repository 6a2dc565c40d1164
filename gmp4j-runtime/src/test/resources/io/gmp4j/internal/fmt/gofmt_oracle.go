// The oracle of GoFmtDiffTest: reads cases, one a line ("<hex format> <value>..."), and
// prints fmt.Sprintf's result for each, hex-encoded, one a line. A value (GoFmt's mapping of
// Java's types to Go's):
//
//	n nil              i<dec>; int32 (Integer, Character)   l<dec>; int64    h<dec>; int16
//	b<dec>; int8       d<hex bits>; float64     f<hex bits>; float32     t, F bool
//	s<hex>; string     y<hex>; []byte           e<hex>; errors.New(text) (a Throwable)
//	g<dec>; *big.Int   [<elem>:<value>...] a slice of elem (i32 i64 f64 str any)
//	{<value value>...} map[interface{}]interface{} (a java.util.Map)
package main

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"reflect"
	"strconv"
	"strings"
)

type parser struct {
	s string
	i int
}

func (p *parser) until(c byte) string {
	j := strings.IndexByte(p.s[p.i:], c)
	t := p.s[p.i : p.i+j]
	p.i += j + 1
	return t
}

func (p *parser) num() int64 {
	n, err := strconv.ParseInt(p.until(';'), 10, 64)
	if err != nil {
		panic(err)
	}
	return n
}

func (p *parser) hexs() string {
	b, err := hex.DecodeString(p.until(';'))
	if err != nil {
		panic(err)
	}
	return string(b)
}

var elemTypes = map[string]reflect.Type{
	"i32": reflect.TypeOf(int32(0)),
	"i64": reflect.TypeOf(int64(0)),
	"f64": reflect.TypeOf(float64(0)),
	"str": reflect.TypeOf(""),
	"any": reflect.TypeOf((*any)(nil)).Elem(),
}

func (p *parser) value() any {
	c := p.s[p.i]
	p.i++
	switch c {
	case 'n':
		return nil
	case 'i':
		return int32(p.num())
	case 'l':
		return p.num()
	case 'h':
		return int16(p.num())
	case 'b':
		return int8(p.num())
	case 'd':
		u, _ := strconv.ParseUint(p.until(';'), 16, 64)
		return math.Float64frombits(u)
	case 'f':
		u, _ := strconv.ParseUint(p.until(';'), 16, 32)
		return math.Float32frombits(uint32(u))
	case 't':
		return true
	case 'F':
		return false
	case 's':
		return p.hexs()
	case 'y':
		return []byte(p.hexs())
	case 'e':
		return errors.New(p.hexs())
	case 'g':
		b, ok := new(big.Int).SetString(p.until(';'), 10)
		if !ok {
			panic("big")
		}
		return b
	case '[':
		t := elemTypes[p.until(':')]
		s := reflect.MakeSlice(reflect.SliceOf(t), 0, 0)
		for p.s[p.i] != ']' {
			v := p.value()
			if v == nil {
				s = reflect.Append(s, reflect.Zero(t))
			} else {
				s = reflect.Append(s, reflect.ValueOf(v))
			}
		}
		p.i++
		return s.Interface()
	case '{':
		m := map[any]any{}
		for p.s[p.i] != '}' {
			k := p.value()
			m[k] = p.value()
		}
		p.i++
		return m
	}
	panic("bad value at " + strconv.Itoa(p.i) + ": " + p.s)
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		line := in.Text()
		sp := strings.IndexByte(line, ' ')
		format, err := hex.DecodeString(line[:sp])
		if err != nil {
			panic(err)
		}
		p := &parser{s: line, i: sp + 1}
		var args []any
		for p.i < len(p.s) {
			args = append(args, p.value())
		}
		fmt.Fprintln(out, hex.EncodeToString([]byte(fmt.Sprintf(string(format), args...))))
	}
}
