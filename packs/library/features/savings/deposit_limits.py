# Deposit limits for savings products: minimum single deposit and maximum balance.

# standard libs
from decimal import Decimal
from typing import Optional

# features
import features.common.utils as utils

# contracts api
from contracts_api import (
    BalanceDefaultDict,
    NumberShape,
    Parameter,
    ParameterLevel,
    Rejection,
    RejectionReason,
)

# inception sdk
from inception_sdk.vault.contracts.extensions.contracts_api_extensions import SmartContractVault

PARAM_MINIMUM_DEPOSIT = "minimum_deposit"
PARAM_MAXIMUM_BALANCE = "maximum_balance"

parameters = [
    Parameter(
        name=PARAM_MINIMUM_DEPOSIT,
        level=ParameterLevel.TEMPLATE,
        description="Smallest single deposit accepted.",
        display_name="Minimum deposit",
        shape=NumberShape(min_value=Decimal("0"), step=Decimal("0.01")),
        default_value=Decimal("1"),
    ),
    Parameter(
        name=PARAM_MAXIMUM_BALANCE,
        level=ParameterLevel.TEMPLATE,
        description="Deposits that would take the balance above this amount are rejected.",
        display_name="Maximum balance",
        shape=NumberShape(min_value=Decimal("0"), step=Decimal("0.01")),
        default_value=Decimal("85000"),
    ),
]


def validate(
    vault: SmartContractVault,
    posting_instructions: list,
    denomination: str,
    balances: BalanceDefaultDict,
) -> Optional[Rejection]:
    """Reject deposits below the minimum and postings that breach the maximum balance."""
    proposed = utils.get_posting_instructions_net(posting_instructions, denomination)
    if proposed <= 0:
        return None
    minimum_deposit = utils.get_parameter(vault, PARAM_MINIMUM_DEPOSIT)
    if proposed < minimum_deposit:
        return Rejection(
            message=f"Deposit of {proposed} {denomination} is below the minimum deposit "
            f"of {minimum_deposit} {denomination}",
            reason_code=RejectionReason.AGAINST_TNC,
        )
    current = utils.balance_at_coordinates(balances=balances, denomination=denomination)
    maximum_balance = utils.get_parameter(vault, PARAM_MAXIMUM_BALANCE)
    if current + proposed > maximum_balance:
        return Rejection(
            message=f"Posting would exceed the maximum balance of {maximum_balance} {denomination}",
            reason_code=RejectionReason.AGAINST_TNC,
        )
    return None
