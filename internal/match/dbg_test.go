package match

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func TestDbgSlow(t *testing.T) {
	for seed := range 200000 {
		src := randSource{rand.New(rand.NewPCG(uint64(seed), 7))}
		ps := genPatterns(src)
		text := genText(src, randomText(src, src.intn(400)))
		done := make(chan bool)
		go func() {
			st := time.Now()
			checkAgrees(t, ps, text)
			if el := time.Since(st); el > 200*time.Millisecond {
				fmt.Println("slow", el, describe(ps, text))
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			panic(fmt.Sprint("hang:\n", describe(ps, text)))
		}
	}
}
