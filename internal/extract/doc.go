// Package extract turns submitted content into Features: the page's texts
// in matching form, phone numbers, fake error codes, and lock behaviours.
// It is pure (no I/O, no context) and never fails: what it cannot read it
// notes in Features.Warnings, and a panic inside it is recovered and noted
// the same way. It does not judge; rules and score do.
//
// # Reading the content
//
// Content.HTML is decoded first: valid UTF-8 is taken as it is; otherwise
// the charset declared by the content type, a BOM or a <meta> is used
// (golang.org/x/net/html/charset), and failing that invalid bytes become
// U+FFFD. It is then read as HTML, as one script or as plain text: by the
// content type when it names one of these, else by the URL's extension
// (.js, .txt, .md, .html, .php ...), else by sniffing (markup when it
// starts with '<' or has common tags near the start; a script when it has
// code punctuation and parses; plain text otherwise). Content that looks
// binary is read as plain text, with a warning.
//
// Markup is parsed with golang.org/x/net/html (scripting off, so that
// <noscript> content is markup) and walked without recursion. Server
// template blocks (<?php ... ?>, <?= ... ?>) are cut out before parsing
// and their code goes to FieldHidden; Smarty-style {$phone} placeholders
// are plain text. The bodies of <script> and <style> elements are cut out
// before parsing too, and read from the source: the parser sees a
// placeholder for each, and when one does not land as the whole text of
// its element the page is parsed again whole (rawcut.go). x/net/html
// refuses nesting deeper than 512 elements:
// such markup is flattened (tags below depth 256 dropped, text kept), then,
// if the parser still refuses, stripped of all tags, with a warning.
//
// # The fields (all in textnorm's matching form)
//
//   - FieldText: visible text in document order. Block elements, table
//     cells, line breaks and replaced elements (images, inputs, buttons,
//     media) separate words; inline elements do not ("Mic<b>ro</b>soft" is
//     one word). Attribute texts count as visible: alt, title, placeholder,
//     aria-label, and the value of text, submit, button and reset inputs;
//     on inline elements they are added at the next block boundary so they
//     cannot split a word. <noscript> content and <iframe srcdoc> text are
//     included; script, style, title, iframe fallback and hidden content
//     are not.
//   - FieldHidden: text of hidden elements: <template>, a <dialog> without
//     open, the hidden attribute, aria-hidden="true", and CSS that hides
//     (display:none, visibility:hidden or collapse, opacity below 0.05,
//     font-size 0, color transparent, an offset of -999px or more to the
//     left or top) in the element's style attribute or in a rule of the
//     page's own <style> blocks for a plain .class or #id selector (rules
//     inside @media and other at-rules, compound selectors and external
//     sheets are not resolved: that needs a browser); values of
//     type=hidden inputs; text of <script> blocks of template types
//     (text/template, text/x-handlebars ...); server template code; and
//     the prose string literals of scripts (text a script may write into
//     the page, where kits that build their overlay in script keep it). A
//     hidden element inside a word leaves the word whole in FieldText
//     ("Mi<span style=display:none>x</span>crosoft" reads "microsoft").
//   - FieldTitle: the first <title> (Features.Title has it as written).
//   - FieldMeta: description, keywords, og:title, og:description,
//     og:site_name and twitter:* texts, one per line. Features.Lang comes
//     from <html lang>, else meta Content-Language, else og:locale.
//   - FieldScript: the source of every script (inline scripts of
//     JavaScript types, javascript: URLs, inline event-handler attributes,
//     Content.Scripts, or the whole content when it is a script), one per
//     line, then the prose strings jsscan found in them, one per line.
//     JSON and import-map scripts are left out.
//   - FieldURL: the page URL, then link, script, iframe, media, source and
//     form-action URLs and meta-refresh targets, as written (not resolved),
//     once each, one per line; fragment-only and javascript: URLs are left
//     out, data: URLs are cut to their media type.
//   - FieldDialog: the static alert/confirm/prompt texts jsscan found, then
//     Content.Dialogs, once each, one per line.
//   - FieldBehavior: the distinct lock kinds found, sorted, space-separated.
//
// # Locks, media, forms
//
// Every script and event-handler attribute (onload, onbeforeunload,
// oncontextmenu, onkeydown, onclick, ...) is analysed by jsscan; findings
// are merged by kind into Features.Locks (counts summed, the first
// evidence kept), and a script that does not parse is a warning ("script 3
// (inline) does not parse: ..."). Media that plays sound by itself is an
// audio_loop lock: <audio> or <bgsound> that autoplays or loops, <video>
// that autoplays and loops unmuted, an <embed> of audio that autostarts or
// loops. Content.Behaviors (observed at run time) are added as locks with
// Runtime set. Forms record action, method, the number of fields a
// visitor fills in (not hidden inputs or buttons) and whether one asks for
// a password, card number, CVV, expiry or the like (by type, name, id or
// autocomplete).
//
// # Phones and error codes
//
// See phone.go and errcode.go for the exact rules: candidates are found in
// the normalised fields, phones validated with phonenumbers under regions
// hinted by the language and the URL's TLD (then US and GB), and codes
// recognised as 0x hex codes or after an "error code" label in the
// project's languages. Their offsets index Features.Fields[Field].
//
// # What it does not do
//
// It runs no script and fetches nothing: text written by scripts at run
// time, external style sheets and script files it is not given, images
// and text inside them are out of its reach (the browser stage supplies
// run-time dialogs and behaviours). It does not resolve relative URLs,
// compute the CSS cascade, or decide what a page is.
package extract
