# Common utilities shared by every product feature: parameter access, balance arithmetic,
# posting construction, flag and calendar checks.

# standard libs
from datetime import datetime
from decimal import Decimal, ROUND_HALF_UP
from json import loads
from typing import Any, Optional

# contracts api
from contracts_api import (
    DEFAULT_ADDRESS,
    DEFAULT_ASSET,
    BalanceDefaultDict,
    DenominationShape,
    Parameter,
    ParameterLevel,
    Phase,
    Posting,
    Rejection,
    RejectionReason,
)

# inception sdk
from inception_sdk.vault.contracts.extensions.contracts_api_extensions import SmartContractVault

PARAM_DENOMINATION = "denomination"

denomination_parameter = Parameter(
    name=PARAM_DENOMINATION,
    level=ParameterLevel.TEMPLATE,
    description="Denomination of the account.",
    display_name="Denomination",
    shape=DenominationShape(),
    default_value="GBP",
)

# Quantiser for money amounts in the account's minor unit
MONEY_QUANTUM = Decimal("0.01")


def get_parameter(
    vault: SmartContractVault,
    name: str,
    at_datetime: Optional[datetime] = None,
    is_json: bool = False,
    default_value: Optional[Any] = None,
) -> Any:
    """
    Read a parameter (or global parameter) value, latest or at a given datetime.
    :param is_json: the value is a JSON string (lists of flag ids, maps of internal accounts)
    :param default_value: returned when the parameter has no value
    """
    timeseries = vault.get_parameter_timeseries(name=name)
    value = timeseries.at(at_datetime=at_datetime) if at_datetime else timeseries.latest()
    if value is None:
        return default_value
    return loads(value) if is_json else value


def round_decimal(amount: Decimal, decimal_places: int = 2, rounding: str = ROUND_HALF_UP) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-decimal_places), rounding=rounding)


def balance_at_coordinates(
    *,
    balances: BalanceDefaultDict,
    address: str = DEFAULT_ADDRESS,
    asset: str = DEFAULT_ASSET,
    denomination: str,
    phase: Phase = Phase.COMMITTED,
) -> Decimal:
    return balances[(address, asset, denomination, phase)].net


def get_posting_instructions_net(posting_instructions: list, denomination: str) -> Decimal:
    """Net amount the instructions move on the default address, committed phase."""
    total = Decimal("0")
    for instruction in posting_instructions:
        total += balance_at_coordinates(balances=instruction.balances(), denomination=denomination)
    return total


def create_postings(
    amount: Decimal,
    denomination: str,
    debit_account: str,
    credit_account: str,
    debit_address: str = DEFAULT_ADDRESS,
    credit_address: str = DEFAULT_ADDRESS,
) -> list[Posting]:
    """A balanced debit/credit pair. Returns no postings for a non-positive amount."""
    if amount <= 0:
        return []
    return [
        Posting(
            credit=True,
            amount=amount,
            denomination=denomination,
            account_id=credit_account,
            account_address=credit_address,
            asset=DEFAULT_ASSET,
            phase=Phase.COMMITTED,
        ),
        Posting(
            credit=False,
            amount=amount,
            denomination=denomination,
            account_id=debit_account,
            account_address=debit_address,
            asset=DEFAULT_ASSET,
            phase=Phase.COMMITTED,
        ),
    ]


def validate_denomination(posting_instructions: list, accepted_denominations: list) -> Optional[Rejection]:
    for instruction in posting_instructions:
        for coordinate in instruction.balances().keys():
            if coordinate.denomination not in accepted_denominations:
                return Rejection(
                    message=f"Cannot make transactions in the given denomination, transactions "
                    f"must be one of {accepted_denominations}",
                    reason_code=RejectionReason.WRONG_DENOMINATION,
                )
    return None


def is_flag_in_list_applied(
    vault: SmartContractVault, parameter_name: str, effective_datetime: datetime
) -> bool:
    """True when any flag id in the JSON list parameter is active at effective_datetime."""
    for flag_id in get_parameter(vault, parameter_name, is_json=True, default_value=[]):
        if vault.get_flag_timeseries(flag=flag_id).at(at_datetime=effective_datetime):
            return True
    return False


def is_business_day(vault: SmartContractVault, moment: datetime, calendar_ids: list) -> bool:
    if moment.weekday() >= 5:
        return False
    events = vault.get_calendar_events(calendar_ids=calendar_ids)
    return not any(event.start_datetime <= moment < event.end_datetime for event in events)
