# Easy Access Saver: template (Contracts API 4).
# Composed from features under packs/library/features. Vault needs one self-contained file:
# render it with `strata render` (root packs/library); the output goes to
# contracts/savings_account_rendered.py. Parameter names match contracts/savings_account.py,
# so the savings_account resource's params stay valid when it switches to the rendered file.

# standard libs
from typing import Optional

# features
import features.common.fetchers as fetchers
import features.common.utils as utils
import features.savings.deposit_limits as deposit_limits
import features.savings.dormancy as dormancy
import features.savings.interest as interest

# contracts api
from contracts_api import (
    ActivationHookArguments,
    ActivationHookResult,
    DeactivationHookArguments,
    DeactivationHookResult,
    PostingInstructionsDirective,
    PrePostingHookArguments,
    PrePostingHookResult,
    Rejection,
    RejectionReason,
    ScheduledEventHookArguments,
    ScheduledEventHookResult,
    SmartContractEventType,
    Tside,
    fetch_account_data,
    requires,
)

# inception sdk
from inception_sdk.vault.contracts.extensions.contracts_api_extensions import SmartContractVault

api = "4.0.0"
version = "2.2.0"
display_name = "Easy Access Saver"
summary = "Variable-rate savings account tracking the bank base rate"
explanation = (
    "Interest at base rate plus a margin accrues daily on the end-of-day balance and is paid "
    "monthly. Deposits below the minimum or above the maximum balance are rejected. "
    "Outstanding interest is paid when the account closes."
)
tside = Tside.LIABILITY
supported_denominations = ["GBP"]
global_parameters = ["base_rate"]

data_fetchers = [fetchers.LIVE_BALANCES_BOF, fetchers.EFFECTIVE_OBSERVATION_FETCHER]

parameters = [
    utils.denomination_parameter,
    *interest.parameters,
    *deposit_limits.parameters,
    *dormancy.parameters,
]

event_types = [
    SmartContractEventType(
        name=interest.ACCRUAL_EVENT,
        scheduler_tag_ids=["SAVINGS_ACCRUE_INTEREST_AST"],
    ),
    SmartContractEventType(
        name=interest.APPLICATION_EVENT,
        scheduler_tag_ids=["SAVINGS_APPLY_INTEREST_AST"],
    ),
]


@requires(event_type=interest.ACCRUAL_EVENT, parameters=True)
@requires(event_type=interest.APPLICATION_EVENT, parameters=True, calendar=interest.HOLIDAY_CALENDARS)
@fetch_account_data(event_type=interest.ACCRUAL_EVENT, balances=[interest.BALANCES_FETCHER])
@fetch_account_data(event_type=interest.APPLICATION_EVENT, balances=interest.APPLICATION_FETCHERS)
def scheduled_event_hook(
    vault: SmartContractVault, hook_arguments: ScheduledEventHookArguments
) -> Optional[ScheduledEventHookResult]:
    effective_datetime = hook_arguments.effective_datetime
    instructions = []
    if hook_arguments.event_type == interest.ACCRUAL_EVENT:
        instructions = interest.accrue_interest(vault, effective_datetime)
    elif hook_arguments.event_type == interest.APPLICATION_EVENT:
        if interest.is_application_date(vault, effective_datetime):
            instructions = interest.apply_interest(vault)
    if not instructions:
        return None
    return ScheduledEventHookResult(
        posting_instructions_directives=_directives(instructions, effective_datetime)
    )


@requires(parameters=True)
def activation_hook(
    vault: SmartContractVault, hook_arguments: ActivationHookArguments
) -> Optional[ActivationHookResult]:
    return ActivationHookResult(
        scheduled_events_return_value=interest.scheduled_events(
            vault, hook_arguments.effective_datetime
        )
    )


@requires(parameters=True, flags=True)
@fetch_account_data(balances=fetchers.POSTING_HOOK_FETCHERS)
def pre_posting_hook(
    vault: SmartContractVault, hook_arguments: PrePostingHookArguments
) -> Optional[PrePostingHookResult]:
    denomination = utils.get_parameter(vault, utils.PARAM_DENOMINATION)
    posting_instructions = hook_arguments.posting_instructions
    balances = vault.get_balances_observation(fetcher_id=fetchers.LIVE_BALANCES_BOF_ID).balances

    rejection = (
        utils.validate_denomination(posting_instructions, [denomination])
        or dormancy.validate(vault, hook_arguments.effective_datetime)
        or deposit_limits.validate(vault, posting_instructions, denomination, balances)
    )
    if rejection is None:
        proposed = utils.get_posting_instructions_net(posting_instructions, denomination)
        available = utils.balance_at_coordinates(balances=balances, denomination=denomination)
        if available + proposed < 0:
            rejection = _insufficient_funds(denomination)
    return PrePostingHookResult(rejection=rejection) if rejection else None


@requires(parameters=True)
@fetch_account_data(balances=fetchers.POSTING_HOOK_FETCHERS)
def deactivation_hook(
    vault: SmartContractVault, hook_arguments: DeactivationHookArguments
) -> Optional[DeactivationHookResult]:
    balances = vault.get_balances_observation(fetcher_id=fetchers.LIVE_BALANCES_BOF_ID).balances
    instructions = interest.apply_interest(vault, balances)
    if not instructions:
        return None
    return DeactivationHookResult(
        posting_instructions_directives=_directives(instructions, hook_arguments.effective_datetime)
    )


# Template helpers


def _directives(instructions: list, effective_datetime) -> list[PostingInstructionsDirective]:
    return [
        PostingInstructionsDirective(
            posting_instructions=instructions,
            value_datetime=effective_datetime,
        )
    ]


def _insufficient_funds(denomination: str) -> Rejection:
    return Rejection(
        message=f"Insufficient funds in {denomination}",
        reason_code=RejectionReason.INSUFFICIENT_FUNDS,
    )
