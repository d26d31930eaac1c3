package server

import (
	"testing"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
)

func TestContentFromProto(t *testing.T) {
	req := &scamscopev1.ScanContentRequest{
		Content:     []byte("<p>x</p>"),
		Scripts:     []*scamscopev1.ScriptSource{{Name: "a.js", Source: []byte("alert(1)")}},
		PageUrl:     "https://support.example.co.uk/path?q=1",
		ContentType: "text/html",
	}
	c, err := contentFromProto(req)
	if err != nil {
		t.Fatal(err)
	}
	if string(c.HTML) != "<p>x</p>" || len(c.Scripts) != 1 || c.Scripts[0].Name != "a.js" || string(c.Scripts[0].Source) != "alert(1)" ||
		c.URL == nil || c.URL.Host != "support.example.co.uk" || c.ContentType != "text/html" {
		t.Errorf("contentFromProto(%v) = %+v, want every field carried over", req, c)
	}
	c, err = contentFromProto(nil)
	if err != nil || len(c.HTML) != 0 || c.URL != nil {
		t.Errorf("contentFromProto(nil) = %+v, %v; want empty content", c, err)
	}
}
