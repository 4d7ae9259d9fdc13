package service

// carrierLen is the length of a mobile-barcode carrier: "/" and seven symbols.
const carrierLen = 8

// ValidCarrier reports whether s is an e-invoice mobile-barcode carrier (手機條碼),
// i.e. matches ^/[0-9A-Z.\-+]{7}$. Only such a code can be printed as the standard
// Code 39 barcode that POS scanners read, so anything else is shown as text only.
// It checks shape, not existence: the Ministry of Finance's check needs an AppID.
func ValidCarrier(s string) bool {
	if len(s) != carrierLen || s[0] != '/' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isCarrierSymbol(s[i]) {
			return false
		}
	}
	return true
}

// isCarrierSymbol reports the symbols allowed after the slash; every byte of a
// multi-byte rune is >= 0x80 and so is refused.
func isCarrierSymbol(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b == '.' || b == '-' || b == '+'
}

// newCarrier pairs the code exactly as the API gave it with its validity.
func newCarrier(code string) Carrier {
	return Carrier{Code: code, Valid: ValidCarrier(code)}
}
