// Package extract turns submitted content into Features: the page's texts
// in matching form, phone numbers, fake error codes, and lock behaviours.
// It is pure (no I/O, no context) and never fails: what it cannot read it
// notes in Features.Warnings. It does not judge; rules and score do.
package extract
