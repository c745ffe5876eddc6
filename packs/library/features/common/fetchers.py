# Balance observation fetchers shared by product templates. Hooks name fetchers by id in
# @fetch_account_data(balances=[...]); Vault needs literals there, and `strata render`
# substitutes the values of these constants.

# contracts api
from contracts_api import BalancesObservationFetcher, DefinedDateTime

LIVE_BALANCES_BOF_ID = "live_balances_bof"
EFFECTIVE_OBSERVATION_FETCHER_ID = "effective_balances"

LIVE_BALANCES_BOF = BalancesObservationFetcher(
    fetcher_id=LIVE_BALANCES_BOF_ID,
    at=DefinedDateTime.LIVE,
)
EFFECTIVE_OBSERVATION_FETCHER = BalancesObservationFetcher(
    fetcher_id=EFFECTIVE_OBSERVATION_FETCHER_ID,
    at=DefinedDateTime.EFFECTIVE_DATETIME,
)

# Decorator constants: the fetcher ids each kind of hook asks for
POSTING_HOOK_FETCHERS = [LIVE_BALANCES_BOF_ID]
SCHEDULED_EVENT_FETCHERS = [EFFECTIVE_OBSERVATION_FETCHER_ID]
