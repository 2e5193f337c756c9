package claims

// Sex is an insured person's sex as coded by the platform (gend).
type Sex uint8

// Sex values. SexUnknown is also used for "no restriction" in catalogue limits.
const (
	SexUnknown Sex = 0
	Male       Sex = 1
	Female     Sex = 2
)

// String returns "male", "female" or "unknown".
func (s Sex) String() string {
	switch s {
	case Male:
		return "male"
	case Female:
		return "female"
	}
	return "unknown"
}

// MedType is the platform's medical type code (med_type) of a visit.
type MedType uint8

// Medical types named by the contract.
const (
	MedOutpatient MedType = 11 // ordinary outpatient
	MedEmergency  MedType = 13 // emergency
	MedChronic    MedType = 14 // chronic or special outpatient (慢特病)
	MedInpatient  MedType = 21 // ordinary inpatient; 22–28 are other inpatient kinds
	MedPharmacy   MedType = 41 // purchase at a designated retail pharmacy
)

// Inpatient reports whether m is one of the inpatient kinds 21–28, which
// require a discharge time.
func (m MedType) Inpatient() bool { return m >= 21 && m <= 28 }

// Pharmacy reports whether m is a pharmacy purchase.
func (m MedType) Pharmacy() bool { return m == MedPharmacy }

// Outpatient reports whether m is an outpatient kind (11–19).
func (m MedType) Outpatient() bool { return m >= 11 && m <= 19 }

// CertType is how the insured person identified at settlement (mdtrt_cert_type).
type CertType uint8

// Certificate types. CertNone means the column was empty.
const (
	CertNone       CertType = 0
	CertEVoucher   CertType = 1 // 01 electronic voucher (电子凭证)
	CertIDCard     CertType = 2 // 02 ID card
	CertSocialCard CertType = 3 // 03 social-security card: matters for card-collection rings
)

// InstitutionType is fixmedins_type: a designated medical institution or a
// designated retail pharmacy.
type InstitutionType uint8

// Institution types.
const (
	Medical  InstitutionType = 1
	Pharmacy InstitutionType = 2
)

// Person is one insured person (psn.csv).
type Person struct {
	PsnNo         string // person number, unique
	Sex           Sex
	Birth         Date
	InsuType      string // 310 employees, 390 residents, 340 retired cadres; may be empty
	Name          string // personal data: never log, mask in outputs
	CertNo        string // personal data: never log, mask in outputs
	InsuplcAdmdvs string // 6-digit region code of the place insured; may be empty
	DieDate       Date   // NoDate when unknown or alive
}

// Institution is one designated institution or pharmacy (fixmedins.csv).
type Institution struct {
	Code        string
	Name        string
	Type        InstitutionType
	Level       string  // hosp_lv as written; may be empty
	Admdvs      string  // 6-digit region code; may be empty
	Beds        int32   // approved beds; -1 when unknown
	Lat, Lon    float64 // location; valid only when HasLocation
	HasLocation bool
}

// Staff is one (staff member, practice site) registration (staff.csv).
type Staff struct {
	DrCode          string
	InstitutionCode string
	Name            string // personal data: never log, mask in outputs
	Dept            string
	Prof            string // doctor, nurse, pharmacist, technician; may be empty
}

// Visit is one settled visit or purchase (mdtrt.csv). Refund rows carry
// Refund = true and negative amounts.
type Visit struct {
	MdtrtID         string
	SetlID          string
	PsnNo           string
	InstitutionCode string
	MedType         MedType
	Begin           Time
	End             Time // NoTime when absent; required for inpatient kinds
	DoctorCode      string
	DiseCode        string
	DiseName        string
	MedFee          Money // medfee_sumamt
	FundPay         Money // fund_pay_sumamt
	CertType        CertType
	Refund          bool
}

// FeeLine is one fee detail (fee_list.csv). Refund lines carry negative
// Count and Amount.
type FeeLine struct {
	FeedetlSn  string // unique within its visit
	MdtrtID    string
	ItemCode   string // med_list_codg
	ItemName   string
	ListType   uint16 // 101 Western drug, 102 herbal pieces, 201 service, 301 consumable; 0 unknown
	Count      float64
	Price      Price
	Amount     Money
	Time       Time
	DoctorCode string // billing doctor (bilg_dr_codg); may be empty
	SupplyDays int32  // prd_days; 0 when unknown
	TraceCode  string // drug trace code; may be empty
}

// CatalogItem is one entry of the item knowledge base (catalog.csv).
type CatalogItem struct {
	Code     string
	Name     string
	ListType uint16
	LimitSex Sex   // SexUnknown: no restriction
	AgeMin   int16 // -1: no lower limit
	AgeMax   int16 // -1: no upper limit
	MaxDays  int32 // 0: no limit
	PriceCap Price // 0: no cap
}
