package mycartrackstest

var userSchema = &schema{noun: "user", fields: []string{"id", "name", "email"}}

func (u *user) objectID() int64 { return u.id }

func (u *user) field(name string) any {
	switch name {
	case "id":
		return u.id
	case "name":
		return u.name
	case "email":
		return u.email
	}
	return nil
}

var driverSchema = &schema{noun: "driver", fields: []string{"id", "name", "phone"}}

func (d *driver) objectID() int64 { return d.id }

func (d *driver) field(name string) any {
	switch name {
	case "id":
		return d.id
	case "name":
		return d.name
	case "phone":
		return d.phone
	}
	return nil
}

// Team members are drivers.
var teamSchema = &schema{noun: "team", fields: []string{"id", "name", "memberIds"}, unsortable: []string{"memberIds"}}

func (t *team) objectID() int64 { return t.id }

func (t *team) field(name string) any {
	switch name {
	case "id":
		return t.id
	case "name":
		return t.name
	case "memberIds":
		return t.memberIDs
	}
	return nil
}

func (s *Server) listUsers(c *call) reply   { return s.list(c, userSchema, objects(s.fleet.users)) }
func (s *Server) listDrivers(c *call) reply { return s.list(c, driverSchema, objects(s.fleet.drivers)) }
func (s *Server) listTeams(c *call) reply   { return s.list(c, teamSchema, objects(s.fleet.teams)) }

func (s *Server) getUser(c *call) reply { return s.getFrom(c, userSchema, objects(s.fleet.users)) }
func (s *Server) getDriver(c *call) reply {
	return s.getFrom(c, driverSchema, objects(s.fleet.drivers))
}
func (s *Server) getTeam(c *call) reply { return s.getFrom(c, teamSchema, objects(s.fleet.teams)) }

// getFrom serves the object of items whose id is the path's first wildcard.
func (s *Server) getFrom(c *call, sc *schema, items []object) reply {
	id, err := c.pathID(0, sc.noun)
	if err != nil {
		return err.reply()
	}
	for _, o := range items {
		if o.objectID() == id {
			return s.one(c, sc, o)
		}
	}
	return notFound(sc.noun, id).reply()
}
