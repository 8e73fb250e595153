// CN, O and NotAfter of a PEM client certificate, for whoami (a Kubernetes user is CN, groups are O).
import { X509Certificate } from 'node:crypto';

export interface CertificateSubject {
  commonName?: string;
  organizations: string[];
  notAfter: Date;
}

export function certificateSubject(pem: string): CertificateSubject | undefined {
  try {
    const cert = new X509Certificate(pem);
    const parts = cert.subject.split('\n');
    const pick = (k: string) => parts.filter((p) => p.startsWith(`${k}=`)).map((p) => p.slice(k.length + 1));
    return { commonName: pick('CN')[0], organizations: pick('O'), notAfter: new Date(cert.validTo) };
  } catch {
    return undefined;
  }
}
