"""The exporter-to-verified-certificate journey through the Python client generated from
openapi.yaml, typed end to end (checked with mypy --strict) and with no JSON handled by hand.

    python3 journey.py <base URL> <admin key>

Copy it as a starting point: every call is the generated client's, every answer a model.
"""

import datetime
import sys
import uuid
from typing import TypeVar

from agri_quarantine_client import AuthenticatedClient, Client
from agri_quarantine_client.api.certificates import (
    certificate_ephyto,
    certificate_pdf,
    show_certificate,
    verify_certificate,
)
from agri_quarantine_client.api.consignments import (
    check_consignment,
    create_consignment,
    show_consignment,
    submit_consignment,
)
from agri_quarantine_client.api.identity import create_api_key, create_organization
from agri_quarantine_client.api.inspection import approve_consignment, record_inspection
from agri_quarantine_client.api.registry import add_status_change, create_establishment
from agri_quarantine_client.models import (
    ApproveConsignmentBody,
    ApproveConsignmentResponse200,
    Authority,
    Certificate,
    CoconutDetails,
    CoconutDetailsForm,
    Commodity,
    ComplianceReport,
    Consignee,
    Consignment,
    ConsignmentDeclaration,
    ConsignmentStatus,
    ContainersItem,
    Conveyance,
    ConveyanceMode,
    CreateApiKeyBody,
    CreateEstablishmentRequest,
    CreateOrganizationRequest,
    CreateOrganizationRequestKind,
    CreatedApiKey,
    EstablishmentFields,
    EstablishmentKind,
    Inspection,
    InspectionInput,
    LotsItem,
    Organization,
    ProtocolCode,
    RegistryStatus,
    Role,
    Source,
    StatusChangeRequest,
    Verification,
)
from agri_quarantine_client.types import File

T = TypeVar("T")


def expect(answer: object, kind: type[T]) -> T:
    """The answer as the model the step expects; anything else (a Problem) stops the journey."""
    if not isinstance(answer, kind):
        sys.exit(f"expected {kind.__name__}, got {answer!r}")
    return answer


def key_for(admin: AuthenticatedClient, organization: Organization, role: Role, label: str) -> str:
    body = CreateApiKeyBody(role=role, label=label)
    return expect(create_api_key.sync(organization.id, client=admin, body=body), CreatedApiKey).secret


def register(admin: AuthenticatedClient, kind: EstablishmentKind, code: str, holder: uuid.UUID) -> None:
    since = datetime.date(2024, 1, 1)
    establishment = CreateEstablishmentRequest(
        kind=kind,
        code=code,
        name=f"{kind.value} {code}",
        address="Châu Thành, Bến Tre",
        province="Bến Tre",
        commodities=[Commodity.COCONUT],
        holder_organization_id=holder,
        source=Source(list_="GACC list", date=since),
    )
    expect(create_establishment.sync(client=admin, body=establishment), EstablishmentFields)
    approval = StatusChangeRequest(status=RegistryStatus.APPROVED, effective_from=since, reference="GACC list")
    add_status_change.sync(kind, code, client=admin, body=approval)


def main(base_url: str, admin_key: str) -> None:
    admin = AuthenticatedClient(base_url=base_url, token=admin_key)
    # The admin registers the exporter, the authority, their keys and the registry.
    exporter_org = expect(
        create_organization.sync(
            client=admin,
            body=CreateOrganizationRequest(
                kind=CreateOrganizationRequestKind.EXPORTER,
                name="Công ty TNHH Dừa Bến Tre",
                tax_code="0312345678",
                address="Châu Thành, Bến Tre",
                province="Bến Tre",
            ),
        ),
        Organization,
    )
    authority = expect(
        create_organization.sync(
            client=admin,
            body=CreateOrganizationRequest(
                kind=CreateOrganizationRequestKind.AUTHORITY, name="Cục Bảo vệ thực vật", authority=Authority.PPD
            ),
        ),
        Organization,
    )
    exporter = AuthenticatedClient(base_url=base_url, token=key_for(admin, exporter_org, Role.EXPORTER, "ERP"))
    inspector = AuthenticatedClient(base_url=base_url, token=key_for(admin, authority, Role.INSPECTOR, "PPD desk"))
    register(admin, EstablishmentKind.ORCHARD, "VN-BTOR-0001", exporter_org.id)
    register(admin, EstablishmentKind.PACKING_HOUSE, "VN-BTPH-036", exporter_org.id)

    # The exporter declares (safe to retry with its Idempotency-Key), checks and submits.
    today = datetime.date.today()
    declaration = ConsignmentDeclaration(
        protocol=ProtocolCode.VN_CN_COCONUT_FRESH_2024,
        consignee=Consignee(name="Yunnan Fruit Co.", address="Hekou, Yunnan", country="CN"),
        planned_departure_date=today + datetime.timedelta(days=30),
        exit_border_gate="kim_thanh",
        entry_point="hekou",
        conveyance=Conveyance(mode=ConveyanceMode.ROAD, identifier="71C-246.80"),
        containers=[ContainersItem(number="CSQU3054383", seal_number="SL-1")],
        coconut=CoconutDetails(form=CoconutDetailsForm.GREEN_WITH_STALK, max_stalk_length_cm=4.5),
        botanical_name="Cocos nucifera",
        lots=[
            LotsItem(
                orchard_code="VN-BTOR-0001",
                packing_house_code="VN-BTPH-036",
                variety="Xiêm xanh",
                net_weight_kg=21600.0,
                package_count=2700,
                package_type="bag",
            )
        ],
        carton_label="Fresh coconut - Product of Vietnam - VN-BTOR-0001 - VN-BTPH-036",
        pallet_marking="Exported to the People's Republic of China",
        lab_reports=[],
    )
    order = f"order-{uuid.uuid4()}"
    draft = expect(create_consignment.sync(client=exporter, body=declaration, idempotency_key=order), Consignment)
    again = expect(create_consignment.sync(client=exporter, body=declaration, idempotency_key=order), Consignment)
    assert again.id == draft.id and draft.status == ConsignmentStatus.DRAFT and draft.version == 1
    report = expect(check_consignment.sync(draft.id, client=exporter), ComplianceReport)
    assert report.compliant, report
    submitted = expect(submit_consignment.sync(draft.id, client=exporter, if_match=f'"v{draft.version}"'), Consignment)
    assert submitted.status == ConsignmentStatus.SUBMITTED

    # The inspector reads what they decide on, inspects and approves.
    dossier = expect(show_consignment.sync(draft.id, client=inspector), Consignment)
    assert dossier.status == ConsignmentStatus.SUBMITTED
    inspection = InspectionInput(inspected_on=today, place="Bến Tre packing house", units_in_lot=2700, units_sampled=54)
    expect(record_inspection.sync(draft.id, client=inspector, body=inspection), Inspection)
    signatory = ApproveConsignmentBody(authorized_officer="Nguyễn Văn An", place_of_issue="Hà Nội")
    approved = expect(approve_consignment.sync(draft.id, client=inspector, body=signatory), ApproveConsignmentResponse200)
    number = approved.certificate.number

    # Anyone verifies with the code printed on the certificate.
    certificate = expect(show_certificate.sync(number, client=exporter), Certificate)
    anyone = Client(base_url=base_url)
    verified = expect(verify_certificate.sync(number, client=anyone, code=certificate.verification_code), Verification)
    assert verified.signature_valid and verified.status.value == "valid", verified

    # The exporter downloads the printable certificate and the ePhyto message.
    pdf = expect(certificate_pdf.sync(number, client=exporter), File)
    assert pdf.payload.read(5) == b"%PDF-"
    ephyto = expect(certificate_ephyto.sync(number, client=exporter), File)
    assert b"SPSCertificate" in ephyto.payload.read()
    print(f"journey complete: {number} verified, PDF and ePhyto downloaded")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
