// Test only, never shipped: a bcryptprimitives.dll for Wine 8, which has none. Go 1.24 and
// later get random bytes from bcryptprimitives.dll's ProcessPrng on Windows and stop at
// start-up without it; this one forwards to RtlGenRandom (advapi32's SystemFunction036).
// .ci/package/check builds it with mingw and copies it into the Wine prefix's system32.
#include <windows.h>

BOOLEAN NTAPI SystemFunction036(PVOID buffer, ULONG length); // RtlGenRandom

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
	(void)instance, (void)reason, (void)reserved;
	return TRUE;
}
