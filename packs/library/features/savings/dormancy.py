# Dormancy: while any of the configured flags is active on the account, customer postings are
# rejected. Operations set the flag (e.g. DORMANCY_FLAG) after the dormancy period.

# standard libs
from datetime import datetime
from typing import Optional

# features
import features.common.utils as utils

# contracts api
from contracts_api import Parameter, ParameterLevel, Rejection, RejectionReason, StringShape

# inception sdk
from inception_sdk.vault.contracts.extensions.contracts_api_extensions import SmartContractVault

PARAM_DORMANCY_FLAGS = "dormancy_flags"

parameters = [
    Parameter(
        name=PARAM_DORMANCY_FLAGS,
        level=ParameterLevel.TEMPLATE,
        description="JSON list of flag definition ids that mark the account dormant.",
        display_name="Dormancy flags",
        shape=StringShape(),
        default_value="[]",
    ),
]


def is_account_dormant(vault: SmartContractVault, effective_datetime: datetime) -> bool:
    return utils.is_flag_in_list_applied(vault, PARAM_DORMANCY_FLAGS, effective_datetime)


def validate(vault: SmartContractVault, effective_datetime: datetime) -> Optional[Rejection]:
    if is_account_dormant(vault, effective_datetime):
        return Rejection(
            message="Account flagged 'Dormant' does not accept external transactions.",
            reason_code=RejectionReason.AGAINST_TNC,
        )
    return None
