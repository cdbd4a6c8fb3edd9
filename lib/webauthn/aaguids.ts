import "server-only";
import { attestationTrust, mdsModelName, mdsModels } from "./trust/store";

// Security key models by AAGUID, to prefill "Name your key" and show the model.
// Facts collected from public metadata; a missing model simply has no name.
//
// Every entry was checked against the FIDO Metadata Service names as published
// by passkeydeveloper/passkey-authenticator-aaguids (dist/<aaguid>/meta.json and
// combined_aaguid.json). Names are MDS's own, so several AAGUIDs share one name
// (one per firmware generation). Community lists disagree with MDS and with each
// other (the same AAGUID called "5Ci", "5 NFC" or "Bio"), so nothing here comes
// from them. Only hardware keys: passkey providers are not what this table is for.
//
// An AAGUID names a model; it proves nothing unless attestation is verified
// against the vendor's root, so never use this table for trust decisions.

const MODELS: Record<string, string> = {
  // Yubico: YubiKey 5 (USB-A, USB-C, Nano: one AAGUID per firmware generation)
  "cb69481e-8ff7-4039-93ec-0a2729a154a8": "YubiKey 5 Series",
  "ee882879-721c-4913-9775-3dfcce97072a": "YubiKey 5 Series",
  "ff4dac45-ede8-4ec2-aced-cf66103f4335": "YubiKey 5 Series",
  "20ac7a17-c814-4833-93fe-539f0d5e3389": "YubiKey 5 Series (Enterprise Profile)",
  "4599062e-6926-4fe7-9566-9e8fb1aedaa0": "YubiKey 5 Series (Enterprise Profile)",
  // Yubico: YubiKey 5 NFC / 5C NFC
  "2fc0579f-8113-47ea-b116-bb5a8db9202a": "YubiKey 5 Series with NFC",
  "a25342c0-3cdc-4414-8e46-f4807fca511c": "YubiKey 5 Series with NFC",
  "d7781e5d-e353-46aa-afe2-3ca49f13332a": "YubiKey 5 Series with NFC",
  "1ac71f64-468d-4fe0-bef1-0e5f2f551f18": "YubiKey 5 Series with NFC (Enterprise Profile)",
  // Yubico: YubiKey 5Ci (USB-C + Lightning)
  "a02167b9-ae71-4ac7-9a07-06432ebb6f1c": "YubiKey 5 Series with Lightning",
  "24673149-6c86-42e7-98d9-433fb5b73296": "YubiKey 5 Series with Lightning",
  // Yubico: YubiKey 5 FIPS
  "73bb0cd4-e502-49b8-9c6f-b59445bf720b": "YubiKey 5 FIPS Series",
  "57f7de54-c807-4eab-b1c6-1c9be7984e92": "YubiKey 5 FIPS Series",
  "905b4cb4-ed6f-4da9-92fc-45e0d4e9b5c7": "YubiKey 5 FIPS Series (Enterprise Profile)",
  "c1f9a0bc-1dd2-404a-b27f-8e29047a43fd": "YubiKey 5 FIPS Series with NFC",
  "fcc0118f-cd45-435b-8da1-9782b2da0715": "YubiKey 5 FIPS Series with NFC",
  "85203421-48f9-4355-9bc8-8a53846e5083": "YubiKey 5 FIPS Series with Lightning",
  // Yubico: YubiKey Bio
  "dd86a2da-86a0-4cbe-b462-4bd31f57bc6f": "YubiKey Bio Series - FIDO Edition",
  "7d1351a6-e097-4852-b8bf-c9ac5c9ce4a3": "YubiKey Bio Series - Multi-protocol Edition",
  "90636e1f-ef82-43bf-bdcf-5255f139d12f": "YubiKey Bio Series - Multi-protocol Edition",
  "34744913-4f57-4e6e-a527-e9ec3c4b94e6": "YubiKey Bio Series - Multi-protocol Edition",
  // Yubico: Security Key series (FIDO only; the C NFC model shares the NFC AAGUIDs)
  "f8a011f3-8c0a-4d15-8006-17111f9edc7d": "Security Key by Yubico",
  "b92c3f9a-c014-4056-887f-140a2501163b": "Security Key by Yubico",
  "6d44ba9b-f6ec-2e49-b930-0c8fe920cb73": "Security Key by Yubico with NFC",
  "e77e3c64-05e3-428b-8824-0cbeb04b829d": "Security Key NFC by Yubico",
  "47ab2fb4-66ac-4184-9ae1-86be814012d5": "Security Key NFC by Yubico - Enterprise Edition",
  "0bb43545-fd2c-4185-87dd-feb0b2916ace": "Security Key NFC by Yubico - Enterprise Edition",

  // Google
  "42b4fb4a-2866-43b2-9bf7-6c6669c2e5d3": "Google Titan Security Key v2",

  // Feitian
  "833b721a-ff5f-4d00-bb2e-bdda3ec01e29": "Feitian ePass FIDO2 Authenticator",
  "ee041bce-25e5-4cdb-8f86-897fd6418464": "Feitian ePass FIDO2-NFC Authenticator",
  "260e3021-482d-442d-838c-7edfbe153b7e": "Feitian ePass FIDO2-NFC Plus Authenticator",
  "234cd403-35a2-4cc2-8015-77ea280c77f5": "Feitian ePass FIDO2-NFC Series (CTAP2.1, CTAP2.0, U2F)",
  "77010bd7-212a-4fc9-b236-d2ca5e9d4084": "Feitian BioPass FIDO2 Authenticator",
  "b6ede29c-3772-412c-8a78-539c1f4c62d2": "Feitian BioPass FIDO2 Plus Authenticator",
  "4c0cf95d-2f40-43b5-ba42-4c83a11c04ba": "Feitian BioPass FIDO2 Pro Authenticator",
  "12ded745-4bed-47d4-abaa-e713f51d6393": "Feitian AllinOne FIDO2 Authenticator",
  "3e22415d-7fdf-4ea4-8a0c-dd60c4249b9d": "Feitian iePass FIDO Authenticator",
  "2c0df832-92de-4be1-8412-88a8f074df4a": "Feitian FIDO Smart Card",

  // Token2
  "ab32f0c6-2239-afbb-c470-d2ef4e254db7": "TOKEN2 FIDO2 Security Key",
  "eabb46cc-e241-80bf-ae9e-96fa6d2975cf": "TOKEN2 PIN Plus Security Key Series",

  // SoloKeys (Solo 2 is not in MDS, so it has no entry)
  "8876631b-d4a0-427f-5773-0ec71c9e0279": "Solo Secp256R1 FIDO2 CTAP2 Authenticator",
  "8976631b-d4a0-427f-5773-0ec71c9e0279": "Solo Tap Secp256R1 FIDO2 CTAP2 Authenticator",
  "9876631b-d4a0-427f-5773-0ec71c9e0279": "Somu Secp256R1 FIDO2 CTAP2 Authenticator",

  // Nitrokey (only the 3 AM is in MDS)
  "2cd2f727-f6ca-44da-8f48-5c2e5da000a2": "Nitrokey 3 AM",

  // HID Global
  "692db549-7ae5-44d5-a1e5-dd20a493b723": "HID Crescendo Key",
  "2d3bec26-15ee-4f5d-88b2-53622490270b": "HID Crescendo Key V2",
  "aeb6569c-f8fb-4950-ac60-24ca2bbe2e52": "HID Crescendo C2300",

  // Thales
  "efb96b10-a9ee-4b6c-a4a9-d32125ccd4a4": "Safenet eToken FIDO",
  "74820b05-a6c9-40f9-8fb0-9f86aca93998": "SafeNet eToken Fusion",
  "23786452-f02d-4344-87ed-aaf703726881": "SafeNet eToken Fusion CC",
  "4d41190c-7beb-4a84-8018-adf265a6352d": "Thales IDPrime FIDO Bio",

  // Hypersecu
  "9f77e279-a6e2-4d58-b700-31e5943c6a98": "Hyper FIDO Pro",
  "d821a7d4-e97c-4cb6-bd82-4237731fd4be": "Hyper FIDO Bio Security Key",

  // Other hardware keys
  "d94a29d9-52dd-4247-9c2d-8b818b610389": "VeriMark Guard Fingerprint Key",
  "3789da91-f943-46bc-95c3-50ea2012f03a": "NEOWAVE Winkeo FIDO2",
  "c5703116-972b-4851-a3e7-ae1259843399": "NEOWAVE Badgeo FIDO2",
  "931327dd-c89b-406c-a81e-ed7058ef36c6": "Swissbit iShield Key FIDO2",
  "998f358b-2dd2-4cbe-a43a-e8107438dfb3": "OnlyKey Secp256R1 FIDO2 CTAP2 Authenticator",
  "e1a96183-5016-4f24-b55b-e3ae23614cc6": "ATKey.Pro CTAP2.0",
  "fcb1bcb4-f370-078c-6993-bc24d0ae3fbe": "Ledger Nano X FIDO2 Authenticator",
};

/** The model name of an AAGUID (this table, else the operator's FIDO MDS BLOB), or null when unknown (including U2F keys' all-zero AAGUID). */
export function modelName(aaguid: string | null | undefined): string | null {
  if (!aaguid) return null;
  return MODELS[aaguid.toLowerCase()] ?? mdsModelName(attestationTrust(), aaguid);
}

/** Every model this table names, for the admin's model picker (MDS names are added by the caller). */
export function bundledModels(): { aaguid: string; name: string }[] {
  return Object.entries(MODELS).map(([aaguid, name]) => ({ aaguid, name }));
}

/** Every model Gatehouse can name (this table and the MDS BLOB), one entry per AAGUID, sorted by name: the admin's model picker. */
export function modelCatalogue(): { aaguid: string; name: string }[] {
  const byAaguid = new Map<string, string>();
  for (const model of mdsModels(attestationTrust())) byAaguid.set(model.aaguid, model.name);
  for (const model of bundledModels()) byAaguid.set(model.aaguid, model.name);
  return [...byAaguid].map(([aaguid, name]) => ({ aaguid, name })).sort((a, b) => a.name.localeCompare(b.name) || a.aaguid.localeCompare(b.aaguid));
}
