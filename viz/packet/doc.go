// Package packet builds and verifies the sealed evidence packet of one case
// for its transfer to the police (移送公安): one ZIP file holding
//
//   - the ring's dossier (dossier.html, written by report.WriteDossier, and
//     dossier.pdf when a PDF printer is given);
//   - XLSX workbooks an office opens: members.xlsx (members with roles,
//     visits and fund), visits.xlsx (every visit behind the amount at risk
//     and, when the claims were given, every fee line of those visits),
//     rule_hits.xlsx (every evidence item with its rule, version,
//     parameters, legal article and cited rows) and timeline.xlsx;
//   - the transfer letter (transfer_letter.html, 移送函) and the skeleton of
//     the investigation report (investigation_report.html, 调查报告), filled
//     from the case record of the workspace (states, who, when, notes);
//   - case.json, the case record itself, and README.txt, how to check the
//     packet;
//   - manifest.json, the SHA-256 and size of every file above;
//     manifest.sig, the Ed25519 signature of manifest.json's bytes with the
//     workspace's key; public_key.pem, the key that verifies it.
//
// Verify checks a packet and names every difference: a file missing,
// extra or altered, a manifest whose signature does not hold, a key other
// than the trusted one. docs/packets.md describes the layout, the manifest
// and signature formats and how to check a packet without RingLens.
//
// Personal data (names, ID numbers) are masked in every file: the packet
// is written from detect's outputs, which hold masked labels only, and from
// the workspace, which holds no member names; the free text users typed
// into the case record (notes, titles) is masked before it is written
// (Input.People: the names and certificate numbers of the claims, and
// anything shaped like an ID or mobile number).
package packet
