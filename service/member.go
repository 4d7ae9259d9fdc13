// Package service is Ocard Desk's connection to the Wixtar/Ocard member API: the
// OAuth2 client-credentials token handling, the member lookup, tolerant decoding of
// the API's responses, mobile-number normalisation, carrier validation, avatar
// fetching and configuration. It never imports Fyne: the window lives in package gui.
package service

import "time"

// Member is one Ocard member as the front desk needs to see them. Fields the API
// left null or absent are empty strings.
type Member struct {
	ID        string // member id, e.g. "-JR04E188"
	Name      string
	Mobile    string // as the API returned it (normally 09xxxxxxxx)
	GroupID   string
	GroupName string // the tier, e.g. "VIP_LV1 測試"
	AvatarURL string // head_image; may be empty
	Carrier   Carrier
	// Card is nil for a member who has no point card (point_card: null).
	Card *PointCard
}

// Carrier is the member's e-invoice mobile-barcode carrier (手機條碼).
type Carrier struct {
	Code string // as given by the API; empty when none is on file
	// Valid reports whether Code has the mobile-barcode shape /XXXXXXX and may be
	// drawn as a Code 39 barcode.
	Valid bool
}

// PointCard is the member's point card (集點卡).
type PointCard struct {
	Points         int64  // point: available points
	Spent          int64  // spend: points already used
	Convert        string // convert: conversion ratio, as given
	AvailableGifts int64  // available_gift_count
	Title          string
	Content        string
	// Expiring lists points about to expire, sorted by date (undated entries last).
	Expiring []ExpiringPoints
}

// ExpiringPoints is one batch of points that expires on Date.
type ExpiringPoints struct {
	// Date is the expiry day (midnight, time.Local); zero when DateText did not parse.
	Date     time.Time
	DateText string // as given by the API, e.g. "2026/12/31"
	Points   int64
}
