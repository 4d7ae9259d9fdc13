; Ocard Desk's Windows installer (NSIS 3.08+), built by .ci/package/windows with
;   makensis "-XTarget amd64-unicode" -DVERSION=… -DWINVER=a.b.c.d -DEXEFILE=… -DICON=…
;            -DOFL=… -DOUTFILE=… [-DPROVISION=ocard-desk.json] [-DSIGN=sign-command] installer.nsi
;
; Per-machine install in Program Files, Start-menu and desktop shortcuts for all users, an
; uninstaller listed in Add/Remove Programs, /S for silent installs and uninstalls, and an
; optional franchise provisioning file installed next to the executable (docs/PACKAGING.md).
; Installing over an earlier version upgrades it in place; per-user settings (%AppData%) and
; Credential Manager entries are never touched, by the installer or the uninstaller.

!include MUI2.nsh
!include LogicLib.nsh
!include x64.nsh
!include FileFunc.nsh

!define APP "Ocard Desk"
!define EXE "ocard-desk.exe"
!define PUBLISHER "Ocard Desk"
!define URL "https://github.com/ocard-desk/ocard-desk"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\tw.ocard.desk"

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP}"
; An upgrade goes where the previous version is, wherever IT put it.
InstallDirRegKey HKLM "${UNINST_KEY}" "InstallLocation"
RequestExecutionLevel admin
ManifestDPIAware true
SetCompressor /SOLID lzma
BrandingText "${APP} ${VERSION}"
ShowInstDetails nevershow
ShowUninstDetails nevershow

VIProductVersion "${WINVER}"
VIFileVersion "${WINVER}"
VIAddVersionKey /LANG=0 "ProductName" "${APP}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP} setup"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "Ocard Desk authors"

!ifdef SIGN
; The uninstaller is written at install time from data in the installer: sign it here,
; while makensis builds it, so the installed uninstall.exe carries a signature too.
!uninstfinalize '${SIGN} "%1"' = 0
!endif

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "TradChinese"

Function .onInit
	${IfNot} ${RunningX64}
		MessageBox MB_ICONSTOP|MB_OK "${APP} needs 64-bit Windows." /SD IDOK
		Abort
	${EndIf}
	SetRegView 64
	SetShellVarContext all
FunctionEnd

Function un.onInit
	SetRegView 64
	SetShellVarContext all
FunctionEnd

Section "Install"
	SetOutPath "$INSTDIR"
	; A running copy locks its file against writing but not against renaming: move it
	; aside, so an upgrade never stops on "file in use"; the old file goes at the next
	; restart, and the new version runs the next time the app is opened.
	${If} ${FileExists} "$INSTDIR\${EXE}"
		Delete "$INSTDIR\${EXE}.old"
		Rename "$INSTDIR\${EXE}" "$INSTDIR\${EXE}.old"
		Delete /REBOOTOK "$INSTDIR\${EXE}.old"
	${EndIf}
	File "/oname=${EXE}" "${EXEFILE}"
	File "/oname=LICENSE-OFL.txt" "${OFL}"
!ifdef PROVISION
	; The franchise's connection settings, read by the app from next to its executable.
	File "/oname=ocard-desk.json" "${PROVISION}"
!endif
	WriteUninstaller "$INSTDIR\uninstall.exe"

	CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0
	CreateShortcut "$DESKTOP\${APP}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0

	WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${APP}"
	WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
	WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${EXE},0"
	WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
	WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
	WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
	WriteRegStr HKLM "${UNINST_KEY}" "URLInfoAbout" "${URL}"
	WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
	WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
	${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
	WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" $0
SectionEnd

Section "Uninstall"
	Delete /REBOOTOK "$INSTDIR\${EXE}"
	Delete /REBOOTOK "$INSTDIR\${EXE}.old"
	Delete "$INSTDIR\ocard-desk.json"
	Delete "$INSTDIR\LICENSE-OFL.txt"
	Delete "$INSTDIR\uninstall.exe"
	RMDir /REBOOTOK "$INSTDIR"
	Delete "$SMPROGRAMS\${APP}.lnk"
	Delete "$DESKTOP\${APP}.lnk"
	DeleteRegKey HKLM "${UNINST_KEY}"
SectionEnd
