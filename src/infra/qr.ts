// A QR code of a URL for the terminal (device flow: scan it with a phone). Loaded lazily: only the
// device flow on a terminal needs the qrcode package.

/** Returns the QR code as text for a terminal, or undefined if it cannot be drawn. */
export async function terminalQrCode(text: string): Promise<string | undefined> {
  try {
    const mod = (await import('qrcode')) as unknown as { default?: typeof import('qrcode') } & typeof import('qrcode');
    const qrcode = mod.default ?? mod;
    return await qrcode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
  } catch {
    return undefined;
  }
}
