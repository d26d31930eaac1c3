package extract

import "testing"

// FuzzMayHold holds the hand-kept word lists to the patterns they guard:
// whatever sensitiveName or phoneName matches, mayHold lets through. The
// seeds are a match of every alternative of both patterns.
func FuzzMayHold(f *testing.F) {
	for _, s := range []string{
		"cvv", "CVV2", "x-cvc2", "csc", "ssn", "user_pin", "cardnum", "Card-Number", "cc_num", "ccnumber", "ccexp",
		"cc-csc", "credit_card", "cardNo", "expiry", "exp_date", "expMonth", "exp-year", "expmm", "exp_yy",
		"password", "PASSWD", "security_code",
		"phone", "Mobile", "tel", "TEL-1", "telefon", "téléphone", "TÉLÉPHONE", "portable", "Handy", "celular",
		"cellulare", "telefoon", "komórka", "電話", "携帯", "手机", "电话", "전화", "휴대폰",
		"\u212aomórk", "first_name", "email", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if sensitiveName.MatchString(v) && !mayHold(v, sensitiveWords) {
			t.Errorf("sensitiveName matches %q, mayHold(sensitiveWords) refuses it", v)
		}
		if phoneName.MatchString(v) && !mayHold(v, phoneWords) {
			t.Errorf("phoneName matches %q, mayHold(phoneWords) refuses it", v)
		}
	})
}
