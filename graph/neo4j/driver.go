package neo4j

import (
	"context"
	"fmt"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Conn is an Executor over a real Neo4j server.
type Conn struct {
	drv      driver.DriverWithContext
	database string
}

// Open connects to uri (bolt://, neo4j://, ...) with basic auth and checks
// connectivity. database "" uses the server's default database. Close the
// Conn when done.
func Open(ctx context.Context, uri, user, password, database string) (*Conn, error) {
	drv, err := driver.NewDriverWithContext(uri, driver.BasicAuth(user, password, ""))
	if err != nil {
		return nil, fmt.Errorf("neo4j: connect %s: %w", uri, err)
	}
	if err := drv.VerifyConnectivity(ctx); err != nil {
		_ = drv.Close(ctx)
		return nil, fmt.Errorf("neo4j: connect %s: %w", uri, err)
	}
	return &Conn{drv: drv, database: database}, nil
}

// Close closes the driver.
func (c *Conn) Close(ctx context.Context) error { return c.drv.Close(ctx) }

// ExecuteWrite runs work in a managed write transaction.
func (c *Conn) ExecuteWrite(ctx context.Context, work Work) error {
	return c.execute(ctx, driver.AccessModeWrite, work)
}

// ExecuteRead runs work in a managed read transaction.
func (c *Conn) ExecuteRead(ctx context.Context, work Work) error {
	return c.execute(ctx, driver.AccessModeRead, work)
}

func (c *Conn) execute(ctx context.Context, mode driver.AccessMode, work Work) error {
	s := c.drv.NewSession(ctx, driver.SessionConfig{DatabaseName: c.database, AccessMode: mode})
	defer s.Close(ctx)
	fn := func(tx driver.ManagedTransaction) (any, error) { return nil, work(ctx, txRunner{tx}) }
	var err error
	if mode == driver.AccessModeWrite {
		_, err = s.ExecuteWrite(ctx, fn)
	} else {
		_, err = s.ExecuteRead(ctx, fn)
	}
	return err
}

type txRunner struct{ tx driver.ManagedTransaction }

func (r txRunner) Run(ctx context.Context, cypher string, params map[string]any) (Records, error) {
	res, err := r.tx.Run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return &driverRecords{res: res}, nil
}

type driverRecords struct {
	res driver.ResultWithContext
}

func (d *driverRecords) Next(ctx context.Context) bool { return d.res.Next(ctx) }
func (d *driverRecords) Record() map[string]any        { return d.res.Record().AsMap() }
func (d *driverRecords) Err() error                    { return d.res.Err() }
