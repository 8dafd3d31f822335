package smartcar

import (
	"context"
	"fmt"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// TEMPORARY (issue 11): the location poller, PollPositions and WithPollUserID, is being
// written in smartcar/poller.go on another branch. Until it lands, Fleet.Live calls
// these stand-ins, which refuse with telematics.ErrNotSupported. This file is deleted,
// and Fleet.Live calls PollPositions, when the poller is merged.

// livePolling is telematics.CanStreamLive once the poller is merged.
const livePolling telematics.Capabilities = 0

// pollPositions stands in for PollPositions.
func (c *Client) pollPositions(ctx context.Context, vehicleIDs []string, opts ...telematics.SubscribeOption) (*telematics.Subscription, error) {
	return nil, fmt.Errorf("%s: live positions by polling: %w: the poller is not merged yet", Provider, telematics.ErrNotSupported)
}

// withPollUserID stands in for WithPollUserID.
func withPollUserID(userID string) telematics.SubscribeOption {
	return func(*telematics.SubscribeConfig) {}
}
